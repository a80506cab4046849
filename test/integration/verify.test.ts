import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, errorCode, type TestTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';

/** verify (1:1) and searchFaces on real photos, the real models and the tenant's real index. */
const NO_FACE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/no_face/opencv_fruits.jpg');
const VERIFY = `mutation($i: VerifyInput!) { verify(input: $i) { decision distance threshold person { id } face { box { width } quality { sharpness } } eventId } }`;
const SEARCH = `query($i: SearchFacesInput!) { searchFaces(input: $i) { faceId distance person { id } } }`;

let server: TestServer;
let tenant: TestTenant;
let client: string;
const enrolled: { id: string; faceIds: string[]; probe: string }[] = [];

before(async () => {
  server = await startTestServer();
  tenant = await createTenant(server);
  client = (await createKey(server, tenant, 'CLIENT')).secret;
  for (const p of facesDevPeople(4).slice(0, 2)) {
    const person = await createPerson(server, tenant.secret, { displayName: p.name });
    const res = await server.gql(
      `mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { results { accepted faceId } } }`,
      { i: { personId: person.id, images: p.files.slice(0, 2).map(imageInput), largestFaceOnly: true } },
      tenant.secret,
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    enrolled.push({ id: person.id, faceIds: res.data!.enrollFaces.results.filter((r: { accepted: boolean }) => r.accepted).map((r: { faceId: string }) => r.faceId), probe: p.files[3]! });
  }
});
after(async () => server?.stop());

describe('verify', () => {
  it('answers MATCH for an enrolled person’s other photo, and writes an event', async () => {
    const [ada] = enrolled;
    const res = await server.gql(VERIFY, { i: { image: imageInput(ada!.probe), personId: ada!.id, source: 'kiosk-1' } }, client);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const v = res.data!.verify;
    assert.equal(v.decision, 'MATCH');
    assert.ok(v.distance <= v.threshold);
    assert.ok(v.face.box.width > 0 && v.face.quality.sharpness > 0);
    const events = await server.gql(`{ recognitionEvents(filter: {source: "kiosk-1"}) { edges { node { id decision personId distance faceQuality } } } }`, {}, tenant.secret);
    assert.deepEqual(events.data!.recognitionEvents.edges.map((e: { node: { id: string; decision: string; personId: string } }) => [e.node.id, e.node.decision, e.node.personId]), [[v.eventId, 'MATCH', ada!.id]]);
  });

  it('answers UNKNOWN for someone else, comparing with the claimed person’s faces only', async () => {
    const [ada, bob] = enrolled;
    const res = await server.gql(VERIFY, { i: { image: imageInput(bob!.probe), personId: ada!.id } }, client);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data!.verify.decision, 'UNKNOWN');
    assert.ok(res.data!.verify.distance > res.data!.verify.threshold);
  });

  it('answers NO_FACE for a photo without a face, and NOT_FOUND for another tenant’s person', async () => {
    const none = await server.gql(VERIFY, { i: { image: imageInput(NO_FACE), personId: enrolled[0]!.id } }, client);
    assert.deepEqual([none.data!.verify.decision, none.data!.verify.distance, none.data!.verify.face], ['NO_FACE', null, null]);
    const other = await createTenant(server);
    const foreign = await server.gql(VERIFY, { i: { image: imageInput(enrolled[0]!.probe), personId: enrolled[0]!.id } }, other.secret);
    assert.equal(errorCode(foreign), 'NOT_FOUND');
    const malformed = await server.gql(VERIFY, { i: { image: imageInput(enrolled[0]!.probe), personId: 'nope' } }, client);
    assert.equal(errorCode(malformed), 'NOT_FOUND');
  });
});

describe('searchFaces', () => {
  it('finds the enrolled faces of the person in the photo first', async () => {
    const [ada] = enrolled;
    const res = await server.gql(SEARCH, { i: { image: imageInput(ada!.probe), first: 3 } }, tenant.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const hits = res.data!.searchFaces;
    assert.equal(hits.length, 3);
    assert.equal(hits[0].person.id, ada!.id);
    assert.ok(ada!.faceIds.includes(hits[0].faceId));
    assert.ok(hits.every((h: { distance: number }, i: number) => i === 0 || h.distance >= hits[i - 1].distance));
  });

  it('searches from an enrolled face, leaving that face out', async () => {
    const [ada] = enrolled;
    const res = await server.gql(SEARCH, { i: { faceId: ada!.faceIds[0], first: 10 } }, tenant.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const ids = res.data!.searchFaces.map((h: { faceId: string }) => h.faceId);
    assert.ok(!ids.includes(ada!.faceIds[0]));
    assert.equal(res.data!.searchFaces[0].person.id, ada!.id);
  });

  it('is for ADMIN and OPERATOR keys, and takes exactly one of image and faceId', async () => {
    assert.equal(errorCode(await server.gql(SEARCH, { i: { faceId: enrolled[0]!.faceIds[0] } }, client)), 'FORBIDDEN');
    const both = await server.gql(SEARCH, { i: { faceId: enrolled[0]!.faceIds[0], image: imageInput(enrolled[0]!.probe) } }, tenant.secret);
    assert.equal(errorCode(both), 'BAD_USER_INPUT');
    const other = await createTenant(server);
    assert.equal(errorCode(await server.gql(SEARCH, { i: { faceId: enrolled[0]!.faceIds[0] } }, other.secret)), 'NOT_FOUND');
    assert.equal(errorCode(await server.gql(SEARCH, { i: { image: imageInput(NO_FACE) } }, tenant.secret)), 'NO_FACE');
  });
});
