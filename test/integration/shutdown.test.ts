import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { gqlAt, spawnServer } from '../support/child-server.js';
import { ADMIN_TOKEN } from '../support/test-server.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => database?.drop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('on SIGTERM finishes the request in flight, refuses new connections and exits 0', async () => {
  const server = await spawnServer({ ...(database.url ? { DATABASE_URL: database.url } : { VISAGE_DATA_DIR: database.dataDir }), VISAGE_SHUTDOWN_GRACE_MS: '20000' });
  const created = await gqlAt(server.url, 'mutation { createTenant(input: {name: "drain", slug: "drain"}) { secret } }', {}, ADMIN_TOKEN);
  const secret = created.data!.createTenant.secret as string;
  const [p] = facesDevPeople(5);
  const body = Buffer.from(JSON.stringify({ query: 'mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision } } }', variables: { input: { image: imageInput(p!.files[0]!) } } }));

  // A request whose body is still arriving is in flight for certain when the signal lands.
  const url = new URL(`${server.url}/graphql`);
  const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${secret}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.write(body.subarray(0, 1000));
    void sleep(300).then(() => {
      server.process.kill('SIGTERM');
      return sleep(500);
    }).then(async () => {
      await assert.rejects(fetch(`${server.url}/healthz`), 'a new connection after SIGTERM must be refused');
      req.end(body.subarray(1000));
    });
  });
  const done = await response;
  assert.equal(done.status, 200, done.text + server.output());
  assert.equal(JSON.parse(done.text).data.identify.faces[0].decision, 'UNKNOWN');
  assert.equal(await server.exited, 0, server.output());
});
