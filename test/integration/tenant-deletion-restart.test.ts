import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { ADMIN_TOKEN } from '../support/test-server.js';
import { gqlAt, spawnServer, type ChildServer } from '../support/child-server.js';
import { createServerDatabase, TEST_EMBEDDED } from '../support/test-database.js';
import { runTenantDeletion } from '../../src/lifecycle/tenant-deletion.js';
import { tenantLifecycleRepository } from '../../src/db/tenant-lifecycle-repository.js';

/**
 * Two server processes; the deletion requested on one is refused by the other's very next request.
 * Both are SIGKILLed in the middle of the deletion; a new process finishes it
 * (the DELETING status is the durable record, the pg-boss job is queued again at start), and
 * every row is gone, counted exactly once. Needs PostgreSQL: the test fills the tenant in SQL
 * while the server runs, which the single-process embedded database does not allow.
 */
const EVENTS = 150_000;
const TENANT = 'query($id: ID!) { tenant(id: $id) { status deletionProgress { table removed } } }';
const ENV = { VISAGE_DELETION_BATCH_SIZE: '500', VISAGE_DELETION_SLICE_MS: '2000' };

let db: { url: string; drop(): Promise<void> } | undefined;
let pool: pg.Pool | undefined;
let child: ChildServer | undefined;
let replica: ChildServer | undefined;

before(async () => {
  if (TEST_EMBEDDED) return;
  db = await createServerDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
after(async () => {
  child?.process.kill('SIGKILL');
  replica?.process.kill('SIGKILL');
  await child?.exited;
  await replica?.exited;
  await pool?.end();
  await db?.drop();
});

async function removed(url: string, id: string): Promise<{ status: string; events: number }> {
  const t = (await gqlAt(url, TENANT, { id }, ADMIN_TOKEN)).data!.tenant;
  const events = t.deletionProgress.find((p: { table: string }) => p.table === 'RecognitionEvent')?.removed ?? 0;
  return { status: t.status, events };
}

it('a deletion killed mid-way resumes after a restart and finishes; a second run does nothing', { skip: TEST_EMBEDDED && 'fills the tenant in SQL beside the server', timeout: 300_000 }, async () => {
  [child, replica] = await Promise.all([spawnServer({ DATABASE_URL: db!.url, ...ENV }), spawnServer({ DATABASE_URL: db!.url, ...ENV })]);
  const created = await gqlAt(child.url, 'mutation { createTenant(input: {name: "Doomed", slug: "doomed"}) { tenant { id } secret } }', {}, ADMIN_TOKEN);
  const id = created.data!.createTenant.tenant.id as string;
  const secret = created.data!.createTenant.secret as string;
  assert.equal((await gqlAt(replica.url, '{ people { totalCount } }', {}, secret)).errors, undefined);
  await pool!.query(
    `INSERT INTO "RecognitionEvent" (id, "tenantId", decision, k1, k2, threshold, model, "latencyMs", "createdAt")
     SELECT gen_random_uuid(), $1, 'UNKNOWN', 1, 3, 1.05, 'face-arcface-512', 5, now() - (g || ' minutes')::interval FROM generate_series(1, $2) g`,
    [id, EVENTS],
  );
  await pool!.query(`INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") SELECT gen_random_uuid(), $1, 'p' || g, now() FROM generate_series(1, 1000) g`, [id]);

  const requested = await gqlAt(child.url, 'mutation { deleteTenant(input: {id: "' + id + '", confirmSlug: "doomed"}) { status } }', {}, ADMIN_TOKEN);
  assert.equal(requested.data!.deleteTenant.status, 'DELETING');
  const onReplica = await gqlAt(replica.url, '{ people { totalCount } }', {}, secret);
  assert.equal(onReplica.status, 401, 'the other replica refuses the key on its very next request (no cache to expire)');
  let progress = await removed(child.url, id);
  for (let i = 0; i < 600 && progress.events === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    progress = await removed(child.url, id);
  }
  // Either process may be running the job: both die.
  child.process.kill('SIGKILL');
  replica.process.kill('SIGKILL');
  await Promise.all([child.exited, replica.exited]);
  child = undefined;
  replica = undefined;

  const left = await pool!.query<{ n: number }>(`SELECT count(*)::int AS n FROM "RecognitionEvent" WHERE "tenantId" = $1`, [id]);
  const status = await pool!.query<{ status: string }>(`SELECT status FROM "Tenant" WHERE id = $1`, [id]);
  assert.equal(status.rows[0]!.status, 'DELETING', 'killed before it finished');
  assert.ok(left.rows[0]!.n > 0 && left.rows[0]!.n < EVENTS, `killed mid-way (${left.rows[0]!.n} of ${EVENTS} events left)`);

  child = await spawnServer({ DATABASE_URL: db!.url, ...ENV });
  for (let i = 0; i < 1200 && progress.status !== 'DELETED'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    progress = await removed(child.url, id);
  }
  assert.equal(progress.status, 'DELETED');
  assert.equal(progress.events, EVENTS, 'every event counted exactly once across the two processes');
  for (const table of ['RecognitionEvent', 'Person', 'AuditLog', 'ApiKey']) {
    const { rows } = await pool!.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "tenantId" = $1`, [id]);
    assert.equal(rows[0]!.n, 0, table);
  }
  assert.equal(await runTenantDeletion(tenantLifecycleRepository(pool!), id, { batchSize: 500, budgetMs: 1000 }), 'nothing');
});
