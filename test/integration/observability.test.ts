import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createPerson, createTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => server?.stop());

it('serves Prometheus metrics for operations, decisions, stages and indexes, without tenant ids by default', async () => {
  const tenant = await createTenant(server);
  const person = await createPerson(server, tenant.secret);
  const [p] = facesDevPeople(5);
  await server.gql('mutation Enroll($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { id } } }', { input: { personId: person.id, images: [imageInput(p!.files[0]!)] } }, tenant.secret);
  await server.gql('mutation Identify($input: IdentifyInput!) { identify(input: $input) { faces { decision } } }', { input: { image: imageInput(p!.files[1]!) } }, tenant.secret);
  const res = await fetch(server.metricsUrl);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const text = await res.text();
  assert.match(text, /visage_graphql_requests_total\{operation="Identify",outcome="ok"\} 1/);
  assert.match(text, /visage_identify_decisions_total\{decision="MATCH"\} 1/);
  assert.match(text, /visage_pipeline_stage_duration_seconds_count\{stage="embed"\} 1/);
  assert.match(text, /visage_index_faces\{model="face-arcface-512"\}/);
  assert.match(text, /nodejs_eventloop_lag_seconds/);
  assert.match(text, /process_resident_memory_bytes/);
  assert.ok(!text.includes(tenant.id), 'a tenant id leaked into the metrics');
});

it('reports ready once the eager tenants’ indexes are loaded, when so configured', async () => {
  // A database of its own, used by one server at a time (an embedded database is single-process).
  const database: TestDatabase = await createTestDatabase();
  const first = await startTestServer({}, database);
  const tenant = await createTenant(first);
  await first.stop();
  const eager = await startTestServer({ VISAGE_EAGER_TENANTS: `${tenant.slug},no-such-tenant`, VISAGE_READY_REQUIRES_INDEXES: 'true' }, database);
  try {
    let body: { status: string; problems: string[] } = { status: '', problems: [] };
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${eager.url}/readyz`);
      body = (await res.json()) as typeof body;
      if (res.status === 200) break;
      assert.match(body.problems.join(), /index|eager/, JSON.stringify(body));
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body.status, 'ready', JSON.stringify(body));
    const metrics = await (await fetch(eager.metricsUrl)).text();
    assert.match(metrics, /visage_index_load_duration_seconds_count\{model="face-arcface-512"\} 1/);
  } finally {
    await eager.stop();
    await database.drop();
  }
});

it('answers /readyz 503 when the database is unreachable', async () => {
  const db = await createTestDatabase();
  const lonely = await startTestServer({}, db);
  try {
    await lonely.app.db.pool.end();
    const res = await fetch(`${lonely.url}/readyz`);
    assert.equal(res.status, 503);
    assert.equal((await fetch(`${lonely.url}/healthz`)).status, 200);
  } finally {
    await lonely.stop().catch(() => undefined);
    await db.drop();
  }
});
