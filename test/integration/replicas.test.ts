import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createPerson, createTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { gqlAt, spawnServer, type ChildServer } from '../support/child-server.js';
import { TEST_EMBEDDED } from '../support/test-database.js';

/**
 * Two server processes on one PostgreSQL: an enrollment on A reaches B's hot index through
 * LISTEN/NOTIFY, and B rebuilt from the database after a crash answers the same.
 * (Embedded PGlite is single-process by design, so this suite needs a PostgreSQL server.)
 */
const IDENTIFY = 'mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision person { id } } } }';
let a: TestServer;
let b: ChildServer | undefined;

before(async () => {
  if (TEST_EMBEDDED) return;
  a = await startTestServer();
});
after(async () => {
  b?.process.kill('SIGKILL');
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
