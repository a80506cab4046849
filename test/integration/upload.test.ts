import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createPerson, createTenant, type TestTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { postMultipart, type MultipartParts } from '../support/multipart.js';

const ENROLL = `mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { imagesAccepted } results { accepted reason } } }`;
const IDENTIFY = `mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision distance person { displayName } } } }`;

const identifyFile = (server: TestServer, token: string, bytes: Buffer, extra: Record<string, unknown> = {}) =>
  postMultipart(server, token, {
    operations: { query: IDENTIFY, variables: { input: { image: { file: null, ...extra }, source: 'upload-test' } } },
    map: { 0: ['variables.input.image.file'] },
    files: { 0: bytes },
  });

const codeOf = (answer: { errors?: { extensions?: { code?: string } }[] }) => answer.errors?.[0]?.extensions?.code;

let server: TestServer;
let tenant: TestTenant;
const [ada, grace] = facesDevPeople(4);

before(async () => {
  server = await startTestServer();
  tenant = await createTenant(server);
  // Ada is enrolled from files, Grace from base64, so each path feeds the same gallery.
  const person = await createPerson(server, tenant.secret, { displayName: ada!.name });
  const files = ada!.files.slice(0, 3);
  const enrolled = await postMultipart(server, tenant.secret, {
    operations: { query: ENROLL, variables: { input: { personId: person.id, images: files.map(() => ({ file: null })), largestFaceOnly: true } } },
    map: Object.fromEntries(files.map((_, i) => [String(i), [`variables.input.images.${i}.file`]])),
    files: Object.fromEntries(files.map((f, i) => [String(i), readFileSync(f)])),
  });
  assert.equal(enrolled.errors, undefined, JSON.stringify(enrolled.errors));
  assert.equal(enrolled.data!.enrollFaces.session.imagesAccepted, 3);
  const other = await createPerson(server, tenant.secret, { displayName: grace!.name });
  const base64 = await server.gql(ENROLL, { input: { personId: other.id, images: grace!.files.slice(0, 3).map(imageInput), largestFaceOnly: true } }, tenant.secret);
  assert.equal(base64.errors, undefined, JSON.stringify(base64.errors));
});
after(async () => server?.stop());

describe('images sent as multipart files', () => {
  it('identifies an uploaded photo exactly as the same photo sent as base64', async () => {
    for (const file of [ada!.files[3]!, grace!.files[3]!]) {
      const uploaded = await identifyFile(server, tenant.secret, readFileSync(file));
      assert.equal(uploaded.status, 200);
      assert.equal(uploaded.errors, undefined, JSON.stringify(uploaded.errors));
      const base64 = await server.gql(IDENTIFY, { input: { image: imageInput(file), source: 'upload-test' } }, tenant.secret);
      assert.deepEqual(uploaded.data!.identify, base64.data!.identify, path.basename(file));
    }
    const named = await identifyFile(server, tenant.secret, readFileSync(ada!.files[3]!));
    assert.equal(named.data!.identify.faces[0].person?.displayName, ada!.name);
  });

  it('refuses an image given both as data and as a file, or as neither', async () => {
    const both = await identifyFile(server, tenant.secret, readFileSync(ada!.files[3]!), { data: imageInput(ada!.files[3]!).data });
    assert.equal(codeOf(both), 'BAD_USER_INPUT');
    assert.match(both.errors![0]!.message, /either as base64 `data` or as an uploaded `file`/);
    const neither = await server.gql(IDENTIFY, { input: { image: {} } }, tenant.secret);
    assert.equal(codeOf(neither), 'BAD_USER_INPUT');
    assert.match(neither.errors![0]!.message, /The image needs `data` \(base64\) or `file`/);
  });

  it('accepts an Upload only from a file part, never from JSON or the query text', async () => {
    const asJson = await server.gql(IDENTIFY, { input: { image: { file: 'aGVsbG8=' } } }, tenant.secret);
    assert.equal(codeOf(asJson), 'BAD_USER_INPUT');
    assert.match(asJson.errors![0]!.message, /file part of a multipart\/form-data request/);
    const asObject = await server.gql(IDENTIFY, { input: { image: { file: { bytes: [1, 2, 3], filename: 'x.jpg' } } } }, tenant.secret);
    assert.equal(codeOf(asObject), 'BAD_USER_INPUT');
    const literal = await server.gql('mutation { identify(input: { image: { file: "x" } }) { faces { decision } } }', {}, tenant.secret);
    assert.ok(literal.errors?.length, 'a literal Upload is refused');
  });

  it('answers a corrupt file as INVALID_IMAGE and stores nothing of it', async () => {
    const corrupt = await identifyFile(server, tenant.secret, Buffer.from('not an image at all'));
    assert.equal(codeOf(corrupt), 'INVALID_IMAGE');
    const empty = await identifyFile(server, tenant.secret, Buffer.alloc(0));
    assert.equal(codeOf(empty), 'INVALID_IMAGE');
  });

  it('refuses malformed multipart requests with BAD_REQUEST and a message naming the fault', async () => {
    const bytes = readFileSync(ada!.files[3]!);
    const operations = { query: IDENTIFY, variables: { input: { image: { file: null } } } };
    const cases: { parts: MultipartParts; message: RegExp }[] = [
      { parts: { operations, map: { 0: ['variables.input.image.file'] }, files: {} }, message: /names the file "0", which was not sent/ },
      { parts: { operations, map: {}, files: { 0: bytes } }, message: /"0" is not named in "map"/ },
      { parts: { operations, map: { 0: ['variables.input.image.data'] }, files: { 0: bytes } }, message: /does not lead to a null under "variables"/ },
      { parts: { operations, map: { 0: ['variables.__proto__.polluted'] }, files: { 0: bytes } }, message: /does not lead to a null/ },
      { parts: { operations, map: { 0: ['query'] }, files: { 0: bytes } }, message: /does not lead to a null/ },
      { parts: { operations, map: { 0: ['variables.input.image.file', 'variables.input.image.file'] }, files: { 0: bytes } }, message: /exactly one path/ },
      { parts: { operations: [operations], map: { 0: ['0.variables.input.image.file'] }, files: { 0: bytes } }, message: /batches are not accepted/ },
      { parts: { operations: '{not json', map: {}, files: {} }, message: /"operations" must be one GraphQL request object/ },
    ];
    for (const { parts, message } of cases) {
      const answer = await postMultipart(server, tenant.secret, parts);
      assert.equal(answer.status, 400, JSON.stringify(parts.map));
      assert.equal(codeOf(answer), 'BAD_REQUEST');
      assert.match(answer.errors![0]!.message, message);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('refuses more files than a batch may hold', async () => {
    const files = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [String(i), Buffer.from('x')]));
    const answer = await postMultipart(server, tenant.secret, {
      operations: { query: ENROLL, variables: { input: { personId: '00000000-0000-0000-0000-000000000000', images: Object.keys(files).map(() => ({ file: null })) } } },
      map: Object.fromEntries(Object.keys(files).map((k) => [k, [`variables.input.images.${k}.file`]])),
      files,
    });
    assert.equal(answer.status, 400);
    assert.equal(codeOf(answer), 'BAD_REQUEST');
    assert.match(answer.errors![0]!.message, /At most 20 files/);
  });

  it('refuses a multipart request without a key before reading it', async () => {
    const answer = await postMultipart(server, null, { operations: { query: IDENTIFY, variables: { input: { image: { file: null } } } }, map: { 0: ['variables.input.image.file'] }, files: { 0: readFileSync(ada!.files[3]!) } });
    assert.equal(answer.status, 401);
    assert.equal(codeOf(answer), 'UNAUTHENTICATED');
  });
});

describe('multipart body limits', () => {
  let small: TestServer;
  before(async () => {
    small = await startTestServer({ VISAGE_MAX_BODY_BYTES: '64kb' });
  });
  after(async () => small?.stop());

  it('refuses a body over VISAGE_MAX_BODY_BYTES with PAYLOAD_TOO_LARGE, and still serves', async () => {
    const t = await createTenant(small);
    const big = await identifyFile(small, t.secret, Buffer.alloc(200 * 1024, 7));
    assert.equal(big.status, 413);
    assert.equal(codeOf(big), 'PAYLOAD_TOO_LARGE');
    const fine = await identifyFile(small, t.secret, Buffer.from('tiny'));
    assert.equal(codeOf(fine), 'INVALID_IMAGE');
  });
});
