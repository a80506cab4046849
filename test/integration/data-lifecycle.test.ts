import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, ADMIN_TOKEN, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, errorCode, type TestTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';

/** Suspension, key expiry and rotation, erasure, the readable audit logs and tenant deletion, through the real server. */
let server: TestServer;
before(async () => {
  server = await startTestServer({ VISAGE_DELETION_BATCH_SIZE: '2' });
});
after(async () => server?.stop());

const PEOPLE = '{ people(first: 1) { totalCount } }';
const TENANT = 'query($id: ID!) { tenant(id: $id) { status slug deletedAt deletionProgress { table removed } } }';

async function enrollAndIdentify(tenant: TestTenant) {
  const [p] = facesDevPeople(5);
  const person = await createPerson(server, tenant.secret, { displayName: 'Ada Erasable', externalId: 'emp-erase' });
  const enrolled = await server.gql(
    'mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { results { accepted faceId } } }',
    { i: { personId: person.id, images: [imageInput(p!.files[0]!), imageInput(p!.files[1]!)] } },
    tenant.secret,
  );
  assert.equal(enrolled.errors, undefined, JSON.stringify(enrolled.errors));
  const identify = () =>
    server.gql('mutation($i: IdentifyInput!) { identify(input: $i) { faces { decision person { id } } } }', { i: { image: imageInput(p!.files[2]!), source: 'door-1' } }, tenant.secret);
  const first = await identify();
  assert.equal(first.data!.identify.faces[0].decision, 'MATCH');
  return { person, identify };
}

async function rows(table: string, tenantId: string): Promise<number> {
  const { rows: r } = await server.app.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "tenantId" = $1`, [tenantId]);
  return r[0]!.n;
}

describe('suspension', () => {
  it('refuses every key of a suspended tenant with TENANT_SUSPENDED (403), keeps its data, and lets it resume', async () => {
    const t = await createTenant(server);
    await createPerson(server, t.secret);
    const suspended = await server.gql('mutation($i: SuspendTenantInput!) { suspendTenant(input: $i) { status } }', { i: { id: t.id } }, ADMIN_TOKEN);
    assert.equal(suspended.data!.suspendTenant.status, 'SUSPENDED');
    const refused = await server.gql(PEOPLE, {}, t.secret);
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused), 'TENANT_SUSPENDED');
    assert.equal(await rows('Person', t.id), 1);
    assert.equal(errorCode(await server.gql('mutation($i: SuspendTenantInput!) { suspendTenant(input: $i) { status } }', { i: { id: t.id } }, t.secret)), 'TENANT_SUSPENDED');
    const resumed = await server.gql('mutation($i: ResumeTenantInput!) { resumeTenant(input: $i) { status } }', { i: { id: t.id } }, ADMIN_TOKEN);
    assert.equal(resumed.data!.resumeTenant.status, 'ACTIVE');
    assert.equal((await server.gql(PEOPLE, {}, t.secret)).data!.people.totalCount, 1);
  });

  it('answers NOT_FOUND for an unknown tenant and FORBIDDEN for a tenant key', async () => {
    const t = await createTenant(server);
    assert.equal(errorCode(await server.gql('mutation { suspendTenant(input: {id: "00000000-0000-0000-0000-000000000000"}) { status } }', {}, ADMIN_TOKEN)), 'NOT_FOUND');
    assert.equal(errorCode(await server.gql('mutation { suspendTenant(input: {id: "nope"}) { status } }', {}, ADMIN_TOKEN)), 'NOT_FOUND');
    assert.equal(errorCode(await server.gql('mutation($i: SuspendTenantInput!) { suspendTenant(input: $i) { status } }', { i: { id: t.id } }, t.secret)), 'FORBIDDEN');
  });
});

describe('keys', () => {
  it('refuses an expiresAt in the past and shows the expiry of a key', async () => {
    const t = await createTenant(server);
    const past = await server.gql('mutation { createApiKey(input: {name: "old", role: CLIENT, expiresAt: "2020-01-01T00:00:00Z"}) { secret } }', {}, t.secret);
    assert.equal(errorCode(past), 'BAD_USER_INPUT');
    assert.equal(past.errors![0]!.extensions!.field, 'expiresAt');
    const future = await server.gql('mutation { createApiKey(input: {name: "cam", role: CLIENT, expiresAt: "2999-01-01T00:00:00Z"}) { apiKey { expiresAt } secret } }', {}, t.secret);
    assert.equal(errorCode(future), 'BAD_USER_INPUT', 'more than 10 years ahead');
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const ok = await server.gql('mutation($at: DateTime) { createApiKey(input: {name: "cam", role: CLIENT, expiresAt: $at}) { apiKey { expiresAt } secret } }', { at: soon }, t.secret);
    assert.equal(ok.data!.createApiKey.apiKey.expiresAt, soon);
    assert.equal((await server.gql(PEOPLE, {}, ok.data!.createApiKey.secret)).errors, undefined);
  });

  it('rotates a key: the new secret works, the old one until its grace ends, then UNAUTHENTICATED saying it expired', async () => {
    const t = await createTenant(server);
    const key = await createKey(server, t, 'OPERATOR');
    const rotate = (id: string, graceMinutes: number) =>
      server.gql('mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { apiKey { id role } secret previous { id expiresAt } } }', { i: { id, graceMinutes } }, t.secret);
    const graced = await rotate(key.id, 10);
    assert.equal(graced.errors, undefined, JSON.stringify(graced.errors));
    assert.equal(graced.data!.rotateApiKey.apiKey.role, 'OPERATOR');
    assert.ok(new Date(graced.data!.rotateApiKey.previous.expiresAt).getTime() > Date.now() + 9 * 60_000);
    assert.equal((await server.gql(PEOPLE, {}, key.secret)).errors, undefined, 'old key works during the grace');
    assert.equal((await server.gql(PEOPLE, {}, graced.data!.rotateApiKey.secret)).errors, undefined);

    const next = graced.data!.rotateApiKey;
    const immediate = await rotate(next.apiKey.id, 0);
    const expired = await server.gql(PEOPLE, {}, next.secret);
    assert.equal(expired.status, 401);
    assert.equal(errorCode(expired), 'UNAUTHENTICATED');
    assert.match(expired.errors![0]!.message, /expired/);
    assert.equal((await server.gql(PEOPLE, {}, immediate.data!.rotateApiKey.secret)).errors, undefined);

    assert.equal(errorCode(await rotate(next.apiKey.id, 5)), 'CONFLICT', 'an expired key cannot be rotated');
    assert.equal(errorCode(await rotate(key.id, -1)), 'BAD_USER_INPUT');
    assert.equal(errorCode(await rotate('00000000-0000-0000-0000-000000000000', 5)), 'NOT_FOUND');
    const audit = await server.gql('{ auditLog(filter: {action: "apiKey.rotate"}) { totalCount } }', {}, t.secret);
    assert.equal(audit.data!.auditLog.totalCount, 2);
  });
});

describe('erasure', () => {
  it('removes the person, faces, vectors and events naming them, redacts audit details, and returns a receipt', async () => {
    const t = await createTenant(server);
    const { person, identify } = await enrollAndIdentify(t);
    const operator = await createKey(server, t, 'OPERATOR');
    const erase = (token: string, id = person.id) => server.gql('mutation($i: ErasePersonInput!) { erasePerson(input: $i) { personId faces events completedAt } }', { i: { id } }, token);
    assert.equal(errorCode(await erase(operator.secret)), 'FORBIDDEN', 'erasure is for ADMIN keys');

    const enrollmentAudit = () => server.gql('{ auditLog(filter: {action: "enrollment.completed"}) { edges { node { actorType details } } } }', {}, t.secret);
    const completed = (await enrollmentAudit()).data!.auditLog.edges[0].node;
    assert.equal(completed.actorType, 'KEY');
    assert.equal(completed.details.personId, person.id);
    assert.equal(completed.details.faceIds.length, 2, 'the faces made searchable are audited');

    const receipt = await erase(t.secret);
    assert.equal(receipt.errors, undefined, JSON.stringify(receipt.errors));
    assert.deepEqual({ ...receipt.data!.erasePerson, completedAt: undefined }, { personId: person.id, faces: 2, events: 1, completedAt: undefined });
    assert.equal(await rows('Face', t.id), 0);
    const events = await server.gql('query($p: ID) { recognitionEvents(filter: {personId: $p}) { totalCount } }', { p: person.id }, t.secret);
    assert.equal(events.data!.recognitionEvents.totalCount, 0);
    assert.equal((await identify()).data!.identify.faces[0].decision, 'UNKNOWN', 'gone from the index');

    const about = await server.gql('query($id: ID) { auditLog(filter: {targetId: $id}) { edges { node { action actorType details } } } }', { id: person.id }, t.secret);
    const nodes = about.data!.auditLog.edges.map((e: { node: { action: string; details: unknown } }) => e.node);
    assert.equal(nodes[0].action, 'person.erase');
    assert.deepEqual(nodes[0].details, { faces: 2, events: 1 });
    for (const n of nodes.slice(1)) assert.deepEqual(n.details, { redacted: true }, n.action);
    assert.deepEqual((await enrollmentAudit()).data!.auditLog.edges[0].node.details, { redacted: true }, 'rows naming the person in details are redacted too');
    assert.equal(errorCode(await erase(t.secret)), 'NOT_FOUND', 'a second erasure finds nothing');
  });
});

describe('audit log', () => {
  it('pages newest first, filters by action, actor and time, and is for ADMIN keys only', async () => {
    const t = await createTenant(server);
    const operator = await createKey(server, t, 'OPERATOR');
    for (let i = 0; i < 3; i++) await createPerson(server, operator.secret);
    const all = await server.gql('{ auditLog(first: 2) { totalCount edges { node { action actorType actorKeyId createdAt } } pageInfo { hasNextPage endCursor } } }', {}, t.secret);
    assert.equal(all.data!.auditLog.totalCount, 5, 'tenant.create, apiKey.create, 3 × person.create');
    assert.equal(all.data!.auditLog.edges[0].node.action, 'person.create');
    const page2 = await server.gql('query($a: String) { auditLog(first: 10, after: $a) { edges { node { action actorType } } } }', { a: all.data!.auditLog.pageInfo.endCursor }, t.secret);
    assert.deepEqual(page2.data!.auditLog.edges.map((e: { node: { action: string } }) => e.node.action), ['person.create', 'apiKey.create', 'tenant.create']);
    assert.equal(page2.data!.auditLog.edges[2].node.actorType, 'PLATFORM');
    const byActor = await server.gql('query($k: ID) { auditLog(filter: {actorKeyId: $k}) { totalCount } }', { k: operator.id }, t.secret);
    assert.equal(byActor.data!.auditLog.totalCount, 3);
    const future = await server.gql('{ auditLog(filter: {from: "2999-01-01T00:00:00Z"}) { totalCount } }', {}, t.secret);
    assert.equal(future.data!.auditLog.totalCount, 0);
    assert.equal(errorCode(await server.gql('{ auditLog(filter: {from: "2024-02-01T00:00:00Z", to: "2024-01-01T00:00:00Z"}) { totalCount } }', {}, t.secret)), 'BAD_USER_INPUT');
    assert.equal(errorCode(await server.gql('{ auditLog { totalCount } }', {}, operator.secret)), 'FORBIDDEN');
    assert.equal(errorCode(await server.gql('{ auditLog { totalCount } }', {}, ADMIN_TOKEN)), 'FORBIDDEN');
  });

  it('records the platform admin’s actions in platformAuditLog, readable by the platform admin only', async () => {
    const t = await createTenant(server);
    await server.gql('mutation($i: SuspendTenantInput!) { suspendTenant(input: $i) { status } }', { i: { id: t.id } }, ADMIN_TOKEN);
    const log = await server.gql('query($id: ID) { platformAuditLog(filter: {targetId: $id}) { edges { node { action tenantId details } } } }', { id: t.id }, ADMIN_TOKEN);
    assert.deepEqual(log.data!.platformAuditLog.edges.map((e: { node: { action: string } }) => e.node.action), ['tenant.suspend', 'tenant.create']);
    assert.equal(errorCode(await server.gql('{ platformAuditLog { totalCount } }', {}, (await createTenant(server)).secret)), 'FORBIDDEN');
  });
});

describe('retention settings', () => {
  it('shows the defaults, updates them with an audit row, and refuses out-of-range values', async () => {
    const t = await createTenant(server);
    const read = await server.gql('{ viewer { tenant { retention { eventRetentionDays auditRetentionDays enrollmentSessionTtlMinutes } } } }', {}, t.secret);
    assert.deepEqual(read.data!.viewer.tenant.retention, { eventRetentionDays: 90, auditRetentionDays: 365, enrollmentSessionTtlMinutes: 60 });
    const updated = await server.gql('mutation { updateRetentionSettings(input: {eventRetentionDays: 30}) { eventRetentionDays auditRetentionDays } }', {}, t.secret);
    assert.deepEqual(updated.data!.updateRetentionSettings, { eventRetentionDays: 30, auditRetentionDays: 365 });
    const bad = await server.gql('mutation { updateRetentionSettings(input: {enrollmentSessionTtlMinutes: 0}) { eventRetentionDays } }', {}, t.secret);
    assert.equal(errorCode(bad), 'BAD_USER_INPUT');
    assert.equal(bad.errors![0]!.extensions!.field, 'enrollmentSessionTtlMinutes');
    const audit = await server.gql('{ auditLog(filter: {action: "tenant.retention.update"}) { totalCount } }', {}, t.secret);
    assert.equal(audit.data!.auditLog.totalCount, 1);
  });
});

describe('tenant deletion', () => {
  it('needs the slug to confirm, stops the keys at once, removes every row in batches and keeps a tombstone', async () => {
    const t = await createTenant(server);
    const other = await createTenant(server);
    await enrollAndIdentify(t);
    await createPerson(server, other.secret);
    const del = (confirmSlug: string) => server.gql('mutation($i: DeleteTenantInput!) { deleteTenant(input: $i) { status } }', { i: { id: t.id, confirmSlug } }, ADMIN_TOKEN);
    const wrong = await del('not-the-slug');
    assert.equal(errorCode(wrong), 'BAD_USER_INPUT');
    assert.equal((await server.gql(PEOPLE, {}, t.secret)).errors, undefined, 'a refused deletion changes nothing');
    assert.equal(errorCode(await server.gql('mutation($i: DeleteTenantInput!) { deleteTenant(input: $i) { status } }', { i: { id: t.id, confirmSlug: t.slug } }, t.secret)), 'FORBIDDEN');

    assert.equal((await del(t.slug)).data!.deleteTenant.status, 'DELETING');
    const refused = await server.gql(PEOPLE, {}, t.secret);
    assert.equal(refused.status, 401);
    assert.match(refused.errors![0]!.message, /deleted/);

    let state;
    for (let i = 0; i < 300; i++) {
      state = (await server.gql(TENANT, { id: t.id }, ADMIN_TOKEN)).data!.tenant;
      if (state.status === 'DELETED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state.status, 'DELETED');
    assert.equal(state.slug, `${t.id}.deleted`);
    const removed = Object.fromEntries(state.deletionProgress.map((p: { table: string; removed: number }) => [p.table, p.removed]));
    assert.equal(removed.Face, 2);
    assert.equal(removed.Person, 1);
    assert.equal(removed.RecognitionEvent, 1);
    for (const table of ['RecognitionEvent', 'FaceChange', 'Face', 'EnrollmentSession', 'Person', 'AuditLog', 'ApiKey']) assert.equal(await rows(table, t.id), 0, table);
    assert.equal(await rows('Person', other.id), 1, 'another tenant is untouched');

    const again = await del('anything');
    assert.equal(again.data!.deleteTenant.status, 'DELETED', 'asking twice does nothing');
    const log = await server.gql('query($id: ID) { platformAuditLog(filter: {targetId: $id}) { edges { node { action } } } }', { id: t.id }, ADMIN_TOKEN);
    assert.deepEqual(log.data!.platformAuditLog.edges.map((e: { node: { action: string } }) => e.node.action), ['tenant.delete.complete', 'tenant.delete', 'tenant.create']);
  });
});
