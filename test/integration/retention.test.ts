import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createPerson, createTenant, type TestTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { retentionRepository } from '../../src/db/retention-repository.js';
import { purgeRetention } from '../../src/lifecycle/retention-purge.js';

/**
 * The retention purge on the real database, driven by an injected clock: rows are written with
 * chosen ages, and "now" is whatever the test says (no sleeping).
 */
let server: TestServer;
let a: TestTenant;
let b: TestTenant;
const DAY = 86_400_000;
// Real rows (the tenants' own audit entries) are seconds old at NOW; the test rows are aged from it.
const NOW = new Date();

before(async () => {
  server = await startTestServer();
  a = await createTenant(server);
  b = await createTenant(server);
  await server.gql('mutation { updateRetentionSettings(input: {eventRetentionDays: 30, auditRetentionDays: 100}) { eventRetentionDays } }', {}, b.secret);
});
after(async () => server?.stop());

async function insertAged(table: 'RecognitionEvent' | 'AuditLog', tenantId: string, ageDays: number, count = 1) {
  const at = new Date(NOW.getTime() - ageDays * DAY);
  const sql =
    table === 'RecognitionEvent'
      ? `INSERT INTO "RecognitionEvent" (id, "tenantId", decision, k1, k2, threshold, model, "latencyMs", "createdAt")
         SELECT gen_random_uuid(), $1, 'UNKNOWN', 1, 3, 1.05, 'face-arcface-512', 5, $2 FROM generate_series(1, $3)`
      : `INSERT INTO "AuditLog" (id, "tenantId", action, target, "createdAt") SELECT gen_random_uuid(), $1, 'test.aged', 'x', $2 FROM generate_series(1, $3)`;
  await server.app.db.pool.query(sql, [tenantId, at, count]);
}

async function count(table: string, tenantId: string, extra = ''): Promise<number> {
  const { rows } = await server.app.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "tenantId" = $1 ${extra}`, [tenantId]);
  return rows[0]!.n;
}

describe('retention purge', () => {
  it('deletes events and audit rows older than each tenant’s settings, in batches, and nothing on a second run', async () => {
    for (const t of [a, b]) {
      await insertAged('RecognitionEvent', t.id, 10, 3);
      await insertAged('RecognitionEvent', t.id, 60, 4);
      await insertAged('RecognitionEvent', t.id, 120, 5);
      await insertAged('AuditLog', t.id, 200, 2);
      await insertAged('AuditLog', t.id, 400, 6);
    }
    const repo = retentionRepository(server.app.db.pool);
    const first = await purgeRetention(repo, NOW, { batchSize: 2 });
    // a: 90 days → the 120-day events; 365 days → the 400-day audit rows. b: 30 and 100 days.
    assert.equal(first.events, 5 + (4 + 5));
    assert.equal(first.audit, 6 + (2 + 6));
    assert.equal(await count('RecognitionEvent', a.id), 7);
    assert.equal(await count('RecognitionEvent', b.id), 3);
    assert.equal(await count('AuditLog', a.id, `AND action = 'test.aged'`), 2);
    assert.equal(await count('AuditLog', b.id, `AND action = 'test.aged'`), 0);
    const second = await purgeRetention(repo, NOW, { batchSize: 2 });
    assert.deepEqual(second, { events: 0, audit: 0, sessions: 0, faces: 0 });
  });

  it('cancels OPEN enrollment sessions past their TTL and deletes their faces, leaving completed ones', async () => {
    const [p] = facesDevPeople(5);
    const person = await createPerson(server, a.secret);
    const kept = await server.gql('mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { results { accepted } } }', { i: { personId: person.id, images: [imageInput(p!.files[0]!)] } }, a.secret);
    assert.equal(kept.data!.enrollFaces.results[0].accepted, true);
    const session = (await server.gql('mutation($i: StartEnrollmentInput!) { startEnrollment(input: $i) { id } }', { i: { personId: person.id } }, a.secret)).data!.startEnrollment.id;
    const added = await server.gql('mutation($i: AddEnrollmentImagesInput!) { addEnrollmentImages(input: $i) { results { accepted } } }', { i: { sessionId: session, images: [imageInput(p!.files[1]!)] } }, a.secret);
    assert.equal(added.data!.addEnrollmentImages.results[0].accepted, true);
    assert.equal(await count('Face', a.id), 2);

    const repo = retentionRepository(server.app.db.pool);
    const started = Date.now();
    const early = await purgeRetention(repo, new Date(started + 59 * 60_000), { batchSize: 10 });
    assert.equal(early.sessions, 0, 'within the 60-minute TTL');
    const late = await purgeRetention(repo, new Date(started + 61 * 60_000), { batchSize: 10 });
    assert.equal(late.sessions, 1);
    assert.equal(late.faces, 1);
    assert.equal(await count('Face', a.id), 1, 'the completed enrollment’s face stays');
    const status = await server.gql('query($id: ID!) { enrollmentSession(id: $id) { status } }', { id: session }, a.secret);
    assert.equal(status.data!.enrollmentSession.status, 'CANCELLED');
    const audit = await server.gql('query($id: ID) { auditLog(filter: {targetId: $id}) { edges { node { action actorType } } } }', { id: session }, a.secret);
    assert.deepEqual(audit.data!.auditLog.edges[0].node, { action: 'enrollment.expire', actorType: 'SYSTEM' });
    const closed = await server.gql('mutation($i: EnrollmentSessionInput!) { completeEnrollment(input: $i) { status } }', { i: { sessionId: session } }, a.secret);
    assert.equal(closed.errors?.[0]?.extensions?.code, 'CONFLICT', 'an expired session cannot be completed');
  });
});
