import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createPerson, createTenant, type TestTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { gqlAt, spawnServer, type ChildServer } from '../support/child-server.js';
import { TEST_EMBEDDED } from '../support/test-database.js';

/**
 * Issue #16, "Done when": a server holding an HNSW tenant (threshold 4 faces here; 7 to 9 enrolled) writes its
 * snapshot; a second replica (a fresh process, as after a restart) is ready from that snapshot
 * without a rebuild; with the snapshot corrupted, a restart refuses it and rebuilds, answering
 * the same. Snapshots are in PostgreSQL (the default store), so the replicas share them.
 */
const IDENTIFY = 'mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision person { id } } } }';
const SMALL_HNSW = { VISAGE_HNSW_THRESHOLD: '4', VISAGE_SNAPSHOT_MIN_FACES: '1' };
let a: TestServer;
let pool: pg.Pool;
let b: ChildServer | undefined;

before(async () => {
  if (TEST_EMBEDDED) return;
  a = await startTestServer(SMALL_HNSW);
  pool = new pg.Pool({ connectionString: a.database.url!, max: 2 });
});
after(async () => {
  b?.process.kill('SIGKILL');
  await pool?.end();
  await a?.stop();
});

interface LoggedEvent {
  type: string;
  from?: string;
  kind?: string;
  problem?: string;
}

/** The index lifecycle events a child server logged (pino JSON lines, `index <type>`). */
function indexEvents(server: ChildServer): LoggedEvent[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; event?: LoggedEvent })
    .filter((entry) => entry.msg?.startsWith('index ') && entry.event)
    .map((entry) => entry.event!);
}

async function identifyOn(url: string, tenant: TestTenant, file: string): Promise<string | undefined> {
  const out = await gqlAt(url, IDENTIFY, { input: { image: imageInput(file) } }, tenant.secret);
  assert.equal(out.errors, undefined, JSON.stringify(out.errors));
  return out.data!.identify.faces[0]?.person?.id;
}

async function restartB(): Promise<ChildServer> {
  if (b) {
    b.process.kill('SIGKILL');
    await b.exited;
  }
  // Info level: the replica's index events are read back from its log.
  b = await spawnServer({ DATABASE_URL: a.database.url!, ...SMALL_HNSW, VISAGE_LOG_LEVEL: 'info' });
  return b;
}

it('a replica is ready from the HNSW snapshot another wrote, and a corrupted snapshot falls back to a rebuild', { skip: TEST_EMBEDDED && 'replicas need a PostgreSQL server', timeout: 300_000 }, async () => {
  const tenant = await createTenant(a);
  const people = facesDevPeople(4).slice(0, 3);
  const ids: string[] = [];
  for (const p of people) {
    const person = await createPerson(a, tenant.secret);
    const enrolled = await a.gql('mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { status } } }', { input: { personId: person.id, images: p.files.slice(0, 3).map(imageInput) } }, tenant.secret);
    assert.equal(enrolled.data!.enrollFaces.session.status, 'COMPLETED', JSON.stringify(enrolled.errors));
    ids.push(person.id);
  }
  // A loads the tenant (flat, 9 faces > 4), builds HNSW in the background and snapshots it.
  assert.equal(await identifyOn(a.url, tenant, people[0]!.files[3]!), ids[0]);
  const snapshotRows = async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "IndexSnapshot" WHERE "tenantId" = $1`, [tenant.id])).rows[0]!.n;
  for (const deadline = Date.now() + 60_000; (await snapshotRows()) === 0; ) {
    assert.ok(Date.now() < deadline, 'server A wrote no snapshot within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }

  const replica = await restartB();
  for (const [i, p] of people.entries()) assert.equal(await identifyOn(replica.url, tenant, p.files[3]!), ids[i], `person ${i} on the replica`);
  const loaded = indexEvents(replica);
  assert.deepEqual(loaded.filter((e) => e.type === 'loaded').map((e) => [e.from, e.kind]), [['snapshot', 'hnsw']], replica.output());
  assert.deepEqual(loaded.filter((e) => e.type === 'rebuilt' || e.type === 'snapshot-rejected'), [], 'no rebuild');

  // Corrupt one byte inside the FAISS part of the newest snapshot, then restart the replica.
  await pool.query(
    `UPDATE "IndexSnapshotChunk" SET data = overlay(data placing '\\x7f'::bytea from 201 for 1)
      WHERE no = 0 AND "snapshotId" = (SELECT id FROM "IndexSnapshot" WHERE "tenantId" = $1 ORDER BY seq DESC, id DESC LIMIT 1)`,
    [tenant.id],
  );
  const restarted = await restartB();
  for (const [i, p] of people.entries()) assert.equal(await identifyOn(restarted.url, tenant, p.files[3]!), ids[i], `person ${i} after the fallback`);
  const events = indexEvents(restarted);
  assert.deepEqual(events.filter((e) => e.type === 'snapshot-rejected').map((e) => e.problem), ['checksum'], restarted.output());
  assert.deepEqual(events.filter((e) => e.type === 'loaded').map((e) => e.from), ['database']);
});
