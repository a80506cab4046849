import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, ADMIN_TOKEN, type TestServer } from '../support/test-server.js';
import { createPerson, createTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { gqlAt, spawnServer, type ChildServer } from '../support/child-server.js';
import { TEST_EMBEDDED } from '../support/test-database.js';
import { freePort } from '../support/free-port.js';

/**
 * Two server processes on one PostgreSQL: an enrollment on A reaches B's hot index through
 * LISTEN/NOTIFY, and B rebuilt from the database after a crash answers the same.
 * (Embedded PGlite is single-process by design, so this suite needs a PostgreSQL server.)
 */
const IDENTIFY = 'mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision person { id } } } }';
let a: TestServer;
let b: ChildServer | undefined;
/** The second replica of the tenant-deletion test. */
let c: ChildServer | undefined;
/** C's sweep for retired tenants runs at this period. */
const SYNC_INTERVAL_MS = 2000;

before(async () => {
  if (TEST_EMBEDDED) return;
  a = await startTestServer();
});
after(async () => {
  b?.process.kill('SIGKILL');
  c?.process.kill('SIGKILL');
  await a?.stop();
});

it('an enrollment on one process is identified on another within a second, and after that one restarts', { skip: TEST_EMBEDDED && 'embedded database is single-process' }, async () => {
  b = await spawnServer({ DATABASE_URL: a.database.url!, VISAGE_SYNC_INTERVAL_MS: '60000' });
  const tenant = await createTenant(a);
  const [p, q] = facesDevPeople(5);
  const other = await createPerson(a, tenant.secret);
  await a.gql('mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { id } } }', { input: { personId: other.id, images: [imageInput(q!.files[0]!)] } }, tenant.secret);
  // B loads the tenant's index now, before the enrollment it must learn about by notification.
  const probe = { input: { image: imageInput(p!.files[4]!) } };
  assert.equal((await gqlAt(b.url, IDENTIFY, probe, tenant.secret)).data!.identify.faces[0].decision, 'UNKNOWN');

  const person = await createPerson(a, tenant.secret);
  const enrolled = await a.gql('mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { status } } }', { input: { personId: person.id, images: p!.files.slice(0, 3).map(imageInput) } }, tenant.secret);
  assert.equal(enrolled.data!.enrollFaces.session.status, 'COMPLETED');
  const committedAt = Date.now();
  let matchedAfter = Infinity;
  while (Date.now() - committedAt < 1000) {
    const out = await gqlAt(b.url, IDENTIFY, probe, tenant.secret);
    if (out.data?.identify.faces[0]?.person?.id === person.id) {
      matchedAfter = Date.now() - committedAt;
      break;
    }
  }
  assert.ok(matchedAfter < 1000, `process B did not match within 1 s of the commit (catch-up period is 60 s, so only NOTIFY could have done it)\n${b.output()}`);

  // Kill B while requests are in flight, then start it again on the same port.
  const port = new URL(b.url).port;
  const inflight = Array.from({ length: 4 }, () => gqlAt(b!.url, IDENTIFY, probe, tenant.secret).catch((err: unknown) => err));
  b.process.kill('SIGKILL');
  await b.exited;
  await Promise.all(inflight);
  b = await spawnServer({ DATABASE_URL: a.database.url! }, Number(port));
  const afterRestart = await gqlAt(b.url, IDENTIFY, probe, tenant.secret);
  assert.equal(afterRestart.data!.identify.faces[0].person?.id, person.id);
});

/** Faces in a child replica’s loaded index of the tenant, from its own /metrics (labelled by tenant); 0 when none is loaded. */
async function indexedFaces(metricsUrl: string, tenantId: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith('visage_index_faces{') && l.includes(`tenant="${tenantId}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

it('a tenant deleted on one replica stops its keys on another within a second and drops that replica’s index', { skip: TEST_EMBEDDED && 'embedded database is single-process' }, async () => {
  const metricsPort = await freePort();
  c = await spawnServer({ DATABASE_URL: a.database.url!, VISAGE_SYNC_INTERVAL_MS: String(SYNC_INTERVAL_MS), VISAGE_METRICS_PORT: String(metricsPort), VISAGE_METRICS_TENANT_LABELS: 'true' });
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const tenant = await createTenant(a);
  const bystander = await createTenant(a);
  const [p] = facesDevPeople(5);
  for (const t of [tenant, bystander]) {
    const person = await createPerson(a, t.secret);
    const enrolled = await a.gql('mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { status } } }', { input: { personId: person.id, images: p!.files.slice(0, 2).map(imageInput) } }, t.secret);
    assert.equal(enrolled.data!.enrollFaces.session.status, 'COMPLETED');
  }
  // C loads both indexes by serving them.
  const probe = { input: { image: imageInput(p!.files[3]!) } };
  for (const t of [tenant, bystander]) assert.equal((await gqlAt(c.url, IDENTIFY, probe, t.secret)).data!.identify.faces[0].decision, 'MATCH');
  assert.equal(await indexedFaces(metricsUrl, tenant.id), 2);

  const deleted = await a.gql('mutation($i: DeleteTenantInput!) { deleteTenant(input: $i) { status } }', { i: { id: tenant.id, confirmSlug: tenant.slug } }, ADMIN_TOKEN);
  assert.equal(deleted.data!.deleteTenant.status, 'DELETING');
  const committedAt = Date.now();
  let refusedAfter = Infinity;
  while (Date.now() - committedAt < 1000) {
    const out = await gqlAt(c.url, IDENTIFY, probe, tenant.secret);
    if (out.status === 401 && out.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED') {
      refusedAfter = Date.now() - committedAt;
      break;
    }
  }
  assert.ok(refusedAfter < 1000, `replica C still accepted the deleted tenant's key 1 s after the deletion\n${c.output()}`);

  // C frees the index at its next sweep, whether or not it ran the deletion job itself.
  const deadline = Date.now() + 5 * SYNC_INTERVAL_MS;
  while ((await indexedFaces(metricsUrl, tenant.id)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await indexedFaces(metricsUrl, tenant.id), 0, 'replica C dropped the deleted tenant’s index');
  assert.equal(await indexedFaces(metricsUrl, bystander.id), 2, 'another tenant’s index stays');
  assert.equal((await gqlAt(c.url, IDENTIFY, probe, bystander.secret)).data!.identify.faces[0].decision, 'MATCH');
});
