import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, ADMIN_TOKEN, type TestServer } from '../support/test-server.js';
import { createPerson, createTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { gqlAt, spawnServer, type ChildServer } from '../support/child-server.js';
import pg from 'pg';
import { LISTEN_APPLICATION_NAME } from '../../src/db/index.js';
import { TEST_EMBEDDED } from '../support/test-database.js';
import { freePort } from '../support/free-port.js';
import { createGallery, enrollPerson, identifyIn, type GqlTarget } from '../support/galleries.js';

/**
 * Two server processes on one PostgreSQL: an enrollment on A reaches B's hot index through
 * LISTEN/NOTIFY, and B rebuilt from the database after a crash answers the same.
 * Moving a person between galleries on A changes B's answer within a second too: B's catch-up
 * period is a minute, so only the change log's NOTIFY can do it, and nothing is re-embedded.
 * (Embedded PGlite is single-process by design, so this suite needs a PostgreSQL server.)
 */
const IDENTIFY = 'mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision person { id } } } }';
let a: TestServer;
let b: ChildServer | undefined;
/** The second replica of the tenant-deletion test. */
let c: ChildServer | undefined;
/** C's sweep for retired tenants runs at this period. */
const SYNC_INTERVAL_MS = 2000;
/** The gallery test's second replica. */
let g: ChildServer | undefined;

before(async () => {
  if (TEST_EMBEDDED) return;
  a = await startTestServer();
});
after(async () => {
  b?.process.kill('SIGKILL');
  c?.process.kill('SIGKILL');
  g?.process.kill('SIGKILL');
  await a?.stop();
});

it('an enrollment on one process is identified on another within a second, and after that one restarts', { skip: TEST_EMBEDDED && 'embedded database is single-process' }, async () => {
  b = await spawnServer({ DATABASE_URL: a.database.url!, VISAGE_SYNC_INTERVAL_MS: '60000' });
  // Face changes, read-cache evictions and live events share one LISTEN connection per process.
  const admin = new pg.Client({ connectionString: a.database.url! });
  await admin.connect();
  try {
    const listening = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTEN_APPLICATION_NAME]);
    assert.equal(listening.rows[0].n, 2, 'one LISTEN connection for each of the two processes');
  } finally {
    await admin.end();
  }
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

it('moving a person between galleries on one replica changes the answer on another within 1 s', { skip: TEST_EMBEDDED && 'embedded database is single-process' }, async () => {
  g = await spawnServer({ DATABASE_URL: a.database.url!, VISAGE_SYNC_INTERVAL_MS: '60000' });
  const onB: GqlTarget = { gql: (query, variables = {}, token = '') => gqlAt(g!.url, query, variables, token) };
  const tenant = await createTenant(a);
  const [p, q] = facesDevPeople(5);
  const site1 = await createGallery(a, tenant.secret, 'site-1');
  const site2 = await createGallery(a, tenant.secret, 'site-2');
  const person = await enrollPerson(a, tenant.secret, p!.files.slice(0, 3), [site1.id]);
  await enrollPerson(a, tenant.secret, q!.files.slice(0, 2), [site2.id]);
  const probe = p!.files[4]!;
  let last: unknown;
  const matchOnB = async (galleryId: string) => {
    last = await identifyIn(onB, tenant.secret, probe, [galleryId]);
    return (last as { data?: { identify: { faces: { person: { id: string } | null }[] } } }).data?.identify.faces[0]?.person?.id === person.id;
  };
  // B loads both galleries' indexes now, before the move it must learn about by notification.
  assert.equal(await matchOnB(site1.id), true, JSON.stringify(last));
  assert.equal(await matchOnB(site2.id), false, JSON.stringify(last));

  const moved = await a.gql(
    `mutation($from: GalleryMembersInput!, $to: GalleryMembersInput!) { removeFromGallery(input: $from) { id } addToGallery(input: $to) { id } }`,
    { from: { galleryId: site1.id, personIds: [person.id] }, to: { galleryId: site2.id, personIds: [person.id] } },
    tenant.secret,
  );
  assert.equal(moved.errors, undefined, JSON.stringify(moved.errors));
  const committedAt = Date.now();
  let seenAfter = Infinity;
  while (Date.now() - committedAt < 1000) {
    if (await matchOnB(site2.id)) {
      seenAfter = Date.now() - committedAt;
      break;
    }
  }
  assert.ok(seenAfter < 1000, `replica B did not match the person in their new gallery within 1 s of the commit\n${JSON.stringify(last)}\n${g.output()}`);
  // The removal committed (and was announced) before the addition.
  assert.equal(await matchOnB(site1.id), false, JSON.stringify(last));

  // Deleting the person on A removes them from every gallery's index on B too.
  await a.gql('mutation($i: DeletePersonInput!) { deletePerson(input: $i) { id } }', { i: { id: person.id } }, tenant.secret);
  const deletedAt = Date.now();
  let goneAfter = Infinity;
  while (Date.now() - deletedAt < 1000) {
    if (!(await matchOnB(site2.id))) {
      goneAfter = Date.now() - deletedAt;
      break;
    }
  }
  assert.ok(goneAfter < 1000, `replica B still matched the deleted person after 1 s\n${g.output()}`);
});
