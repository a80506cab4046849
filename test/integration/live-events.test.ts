import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createClient, type ExecutionResult } from 'graphql-sse';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createTenant, type TestTenant } from '../support/factories.js';
import { imageInput } from '../support/datasets.js';
import { gqlAt, spawnServer, type ChildServer } from '../support/child-server.js';
import { TEST_EMBEDDED } from '../support/test-database.js';

/**
 * recognitionEventAdded over GraphQL over SSE: tenant-isolated, role-checked, filtered, and fed
 * across replicas by NOTIFY (on the embedded database, by the in-process feed).
 */
const NO_FACE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/no_face/opencv_fruits.jpg');
const IDENTIFY = 'mutation($input: IdentifyInput!) { identify(input: $input) { eventIds } }';
const ADDED = 'subscription($f: RecognitionEventFilter) { recognitionEventAdded(filter: $f) { id decision source } }';

type Added = ExecutionResult<{ recognitionEventAdded: { id: string; decision: string; source: string } }>;

let server: TestServer;
let replica: ChildServer | undefined;
let a: TestTenant;
let b: TestTenant;
const closers: (() => void)[] = [];

/** A subscription whose results are collected as they arrive; resolves once the stream is open. */
async function subscribe(url: string, token: string, filter: Record<string, unknown> = {}) {
  const results: Added[] = [];
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const client = createClient({ url: `${url}/graphql/stream`, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0, on: { connected: () => opened() } });
  const iterator = client.iterate({ query: ADDED, variables: { f: filter } });
  const done = (async () => {
    try {
      for await (const result of iterator) results.push(result as Added);
    } catch (err) {
      results.push({ errors: [{ message: String(err) }] } as unknown as Added);
    }
    opened();
  })();
  closers.push(() => void iterator.return?.());
  closers.push(() => client.dispose());
  await open;
  // The server registers the listener right after it sends the headers.
  await new Promise((r) => setTimeout(r, 100));
  return { results, done };
}

async function waitFor(results: Added[], count: number, ms = 1000): Promise<void> {
  const deadline = Date.now() + ms;
  while (results.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

before(async () => {
  server = await startTestServer();
  a = await createTenant(server);
  b = await createTenant(server);
});
after(async () => {
  for (const close of closers) close();
  replica?.process.kill('SIGKILL');
  await server?.stop();
});

describe('recognitionEventAdded', () => {
  it('delivers the tenant’s new events, filtered, and never another tenant’s', async () => {
    const viewer = (await createKey(server, a, 'VIEWER')).secret;
    const all = await subscribe(server.url, viewer);
    const doorOnly = await subscribe(server.url, viewer, { source: 'door-1' });
    const otherTenant = await subscribe(server.url, b.secret);
    const res = await server.gql(IDENTIFY, { input: { image: imageInput(NO_FACE), source: 'lobby' } }, a.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    await waitFor(all.results, 1);
    assert.deepEqual(all.results.map((r) => r.data?.recognitionEventAdded), [{ id: res.data!.identify.eventIds[0], decision: 'NO_FACE', source: 'lobby' }]);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(doorOnly.results, []);
    assert.deepEqual(otherTenant.results, []);
  });

  it('refuses a CLIENT key with FORBIDDEN and a missing key with 401', async () => {
    const client = (await createKey(server, a, 'CLIENT')).secret;
    const refused = await subscribe(server.url, client);
    await refused.done;
    assert.equal((refused.results[0]?.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code, 'FORBIDDEN', JSON.stringify(refused.results));
    const anonymous = await fetch(`${server.url}/graphql/stream`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: ADDED }) });
    assert.equal(anonymous.status, 401);
  });

  it('a subscription on replica B receives an identify made on replica A within 1 s', { skip: TEST_EMBEDDED && 'embedded database is single-process' }, async () => {
    replica = await spawnServer({ DATABASE_URL: server.database.url! });
    const viewer = (await createKey(server, a, 'VIEWER')).secret;
    const onB = await subscribe(replica.url, viewer);
    const started = Date.now();
    const res = await gqlAt(server.url, IDENTIFY, { input: { image: imageInput(NO_FACE), source: 'replica-a' } }, a.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    await waitFor(onB.results, 1, 1000);
    assert.equal(onB.results[0]?.data?.recognitionEventAdded.id, res.data!.identify.eventIds[0], `no event on B within ${Date.now() - started} ms\n${replica.output()}`);
  });
});
