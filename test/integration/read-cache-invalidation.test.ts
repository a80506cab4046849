import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, ADMIN_TOKEN, type TestServer } from '../support/test-server.js';
import { createKey, createTenant, errorCode } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { enrollPerson } from '../support/galleries.js';
import { TEST_EMBEDDED } from '../support/test-database.js';

/**
 * Two server processes' worth of apps (A and B, each with its own read caches and listener) on one
 * PostgreSQL. Each test first makes B (or A) cache the row, then changes it, and expects the
 * change to show: the caches' TTL is 30 s, so only the triggers' NOTIFY (or, on the writing
 * process, its own eviction) can make it show in time.
 */
const IDENTIFY = 'mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision person { id displayName } } } }';
const VIEWER = '{ viewer { tenant { id } } }';
const NOTIFY_WAIT_MS = 2000;
const skip = TEST_EMBEDDED && 'the embedded database does not cache (single process, no NOTIFY)';
let a: TestServer;
let b: TestServer;

before(async () => {
  if (TEST_EMBEDDED) return;
  a = await startTestServer();
  b = await startTestServer({}, a.database);
});
after(async () => {
  await b?.stop();
  await a?.stop();
});

/** Polls `check` until it is true or the NOTIFY allowance is over; returns the last answer. */
async function within<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + NOTIFY_WAIT_MS;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    value = await read();
  }
  return value;
}

it('a key revoked through replica A is refused by replica B right after', { skip }, async () => {
  const tenant = await createTenant(a);
  const key = await createKey(a, tenant, 'CLIENT');
  // Accepted by B, twice: the second answer comes from B's cache.
  for (let i = 0; i < 2; i++) assert.equal((await b.gql(VIEWER, {}, key.secret)).data?.viewer.tenant.id, tenant.id);
  const revoked = await a.gql('mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { revokedAt } }', { i: { id: key.id } }, tenant.secret);
  assert.ok(revoked.data!.revokeApiKey.revokedAt);
  // On A itself at once (its own eviction), on B within NOTIFY's delivery.
  assert.equal(errorCode(await a.gql(VIEWER, {}, key.secret)), 'UNAUTHENTICATED');
  const onB = await within(() => b.gql(VIEWER, {}, key.secret), (r) => r.status === 401);
  assert.equal(onB.status, 401);
  assert.match(onB.errors![0]!.message, /revoked/);
  // The tenant's other key is untouched.
  assert.equal((await b.gql(VIEWER, {}, tenant.secret)).data?.viewer.tenant.id, tenant.id);
});

it('a tenant suspended is refused at once by the process that suspended it, and soon by the other', { skip }, async () => {
  const tenant = await createTenant(a);
  for (const server of [a, a, b, b]) assert.equal((await server.gql(VIEWER, {}, tenant.secret)).data?.viewer.tenant.id, tenant.id);
  const suspended = await a.gql('mutation($i: SuspendTenantInput!) { suspendTenant(input: $i) { status } }', { i: { id: tenant.id } }, ADMIN_TOKEN);
  assert.equal(suspended.data!.suspendTenant.status, 'SUSPENDED');
  assert.equal(errorCode(await a.gql(VIEWER, {}, tenant.secret)), 'TENANT_SUSPENDED');
  assert.equal(errorCode(await within(() => b.gql(VIEWER, {}, tenant.secret), (r) => r.status === 403)), 'TENANT_SUSPENDED');
  await a.gql('mutation($i: ResumeTenantInput!) { resumeTenant(input: $i) { status } }', { i: { id: tenant.id } }, ADMIN_TOKEN);
  assert.equal((await a.gql(VIEWER, {}, tenant.secret)).data?.viewer.tenant.id, tenant.id);
});

it('a person renamed through A shows the new name in identify on B; deleted, it is no MATCH', { skip }, async () => {
  const tenant = await createTenant(a);
  const [p] = facesDevPeople(5);
  const person = await enrollPerson(a, tenant.secret, p!.files.slice(0, 3));
  const probe = { input: { image: imageInput(p!.files[4]!) } };
  const identifyOnB = async () => (await b.gql(IDENTIFY, probe, tenant.secret)).data?.identify.faces[0];
  const before = await identifyOnB();
  assert.equal(before.person?.id, person.id);
  assert.equal((await identifyOnB()).person?.displayName, before.person.displayName);

  const renamed = await a.gql('mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { displayName } }', { i: { id: person.id, displayName: 'Renamed Person' } }, tenant.secret);
  assert.equal(renamed.data!.updatePerson.displayName, 'Renamed Person');
  assert.equal((await a.gql(IDENTIFY, probe, tenant.secret)).data!.identify.faces[0].person.displayName, 'Renamed Person');
  assert.equal((await within(identifyOnB, (f) => f.person?.displayName === 'Renamed Person')).person?.displayName, 'Renamed Person');

  await a.gql('mutation($i: DeletePersonInput!) { deletePerson(input: $i) { id } }', { i: { id: person.id } }, tenant.secret);
  for (const server of [a, b]) {
    const face = await within(async () => (await server.gql(IDENTIFY, probe, tenant.secret)).data?.identify.faces[0], (f) => f.person?.id !== person.id);
    assert.notEqual(face.person?.id, person.id);
  }
});

it('a person deleted by raw SQL (no index change logged) is no longer named by B', { skip }, async () => {
  const tenant = await createTenant(a);
  const [, q] = facesDevPeople(5);
  const person = await enrollPerson(a, tenant.secret, q!.files.slice(0, 3));
  const probe = { input: { image: imageInput(q!.files[4]!) } };
  const identifyOnB = async () => (await b.gql(IDENTIFY, probe, tenant.secret)).data?.identify.faces[0];
  assert.equal((await identifyOnB()).person?.id, person.id);
  assert.equal((await identifyOnB()).person?.id, person.id);
  // Only the Person row goes, not the faces' FaceChange entries: B's index still votes for the
  // label, and only the Person trigger's NOTIFY can tell B's cache that the row is gone.
  await a.app.db.pool.query('DELETE FROM "Person" WHERE "tenantId" = $1 AND id = $2', [tenant.id, person.id]);
  const face = await within(identifyOnB, (f) => f.person === null);
  assert.equal(face.person, null, JSON.stringify(face));
});

it('a repeated identify reads neither the key nor the person from the database; with the TTL at 0 it reads both', { skip }, async () => {
  const off = await startTestServer({ VISAGE_READ_CACHE_TTL_MS: '0' }, a.database);
  try {
    const tenant = await createTenant(a);
    const [, , r] = facesDevPeople(5);
    const person = await enrollPerson(a, tenant.secret, r!.files.slice(0, 3));
    const probe = { input: { image: imageInput(r!.files[4]!) } };
    for (const [server, expected] of [[b, 0], [off, 2]] as const) {
      assert.equal((await server.gql(IDENTIFY, probe, tenant.secret)).data?.identify.faces[0].person?.id, person.id);
      // An observer of the pool's statements (both reads go through pg.Pool.query by name), not a stand-in for it.
      const pool = server.app.db.pool;
      const query = pool.query.bind(pool);
      const named: string[] = [];
      pool.query = ((config: unknown, ...rest: unknown[]) => {
        const name = (config as { name?: string } | null)?.name;
        if (name === 'visage-api-key-for-auth' || name === 'visage-people-by-ids') named.push(name);
        return (query as (...args: unknown[]) => unknown)(config, ...rest);
      }) as typeof pool.query;
      try {
        assert.equal((await server.gql(IDENTIFY, probe, tenant.secret)).data?.identify.faces[0].person?.id, person.id);
      } finally {
        pool.query = query;
      }
      assert.equal(named.length, expected, named.join(', '));
    }
  } finally {
    await off.stop();
  }
});
