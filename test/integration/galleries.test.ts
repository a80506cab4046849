import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createPerson, createTenant, errorCode, unique, type TestTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { createGallery, enrollPerson, identifyIn, keyScopedTo } from '../support/galleries.js';

/**
 * Galleries within a tenant, on the real models, FAISS and database (PostgreSQL, or embedded
 * with VISAGE_TEST_DB=embedded): identify sees only the galleries it names, a scoped key only
 * its own, and membership changes reach the index without re-embedding.
 */
let server: TestServer;
let tenant: TestTenant;
const [pa, pb, pc] = facesDevPeople(5);
const ids = { g1: '', g2: '', a: '', b: '', defaultGallery: '' };

before(async () => {
  server = await startTestServer();
  tenant = await createTenant(server);
  ids.g1 = (await createGallery(server, tenant.secret, 'site-a')).id;
  ids.g2 = (await createGallery(server, tenant.secret, 'site-b')).id;
  ids.a = (await enrollPerson(server, tenant.secret, pa!.files.slice(0, 3), [ids.g1])).id;
  ids.b = (await enrollPerson(server, tenant.secret, pb!.files.slice(0, 3), [ids.g2])).id;
  const settings = await server.gql('{ viewer { tenant { settings { defaultGalleryIds } } } }', {}, tenant.secret);
  ids.defaultGallery = settings.data!.viewer.tenant.settings.defaultGalleryIds[0];
});
after(async () => server?.stop());

const identify = (galleryIds: string[] | undefined, token = tenant.secret, file = pa!.files[4]!) => identifyIn(server, token, file, galleryIds);

describe('identify against galleries', () => {
  it('A against gallery 2 is UNKNOWN, against gallery 1 MATCH, against both MATCH once', async () => {
    assert.equal((await identify([ids.g2])).data!.identify.faces[0].decision, 'UNKNOWN');
    const one = (await identify([ids.g1])).data!.identify;
    assert.equal(one.faces[0].decision, 'MATCH');
    assert.equal(one.faces[0].person.id, ids.a);
    const both = (await identify([ids.g1, ids.g2])).data!.identify;
    assert.equal(both.faces[0].person.id, ids.a);
    const faceIds = both.faces[0].candidates.map((c: { faceId: string }) => c.faceId);
    assert.equal(new Set(faceIds).size, faceIds.length, 'each face is a candidate once');
  });

  it('a person in two requested galleries counts once in the vote', async () => {
    await server.gql(`mutation($i: GalleryMembersInput!) { addToGallery(input: $i) { id } }`, { i: { galleryId: ids.g2, personIds: [ids.a] } }, tenant.secret);
    try {
      const out = (await identify([ids.g1, ids.g2], tenant.secret)).data!.identify.faces[0];
      assert.equal(out.person.id, ids.a);
      const faceIds = out.candidates.map((c: { faceId: string }) => c.faceId);
      assert.equal(new Set(faceIds).size, faceIds.length, JSON.stringify(out.candidates));
    } finally {
      await server.gql(`mutation($i: GalleryMembersInput!) { removeFromGallery(input: $i) { id } }`, { i: { galleryId: ids.g2, personIds: [ids.a] } }, tenant.secret);
    }
  });

  it('without galleryIds searches the tenant’s default gallery set, which new people join', async () => {
    assert.equal((await identify(undefined)).data!.identify.faces[0].decision, 'UNKNOWN', 'A is only in gallery 1');
    const c = await enrollPerson(server, tenant.secret, pc!.files.slice(0, 3));
    const out = (await identify(undefined, tenant.secret, pc!.files[4]!)).data!.identify;
    assert.equal(out.faces[0].person?.id, c.id);
    const person = await server.gql('query($id: ID!) { person(id: $id) { galleries { id name } } }', { id: c.id }, tenant.secret);
    assert.deepEqual(person.data!.person.galleries.map((g: { id: string }) => g.id), [ids.defaultGallery]);
  });

  it('records the galleries searched on the event, and reports group by gallery', async () => {
    const out = (await identify([ids.g1])).data!.identify;
    const events = await server.gql('{ recognitionEvents(first: 1) { edges { node { id galleryIds } } } }', {}, tenant.secret);
    const node = events.data!.recognitionEvents.edges[0].node;
    assert.equal(node.id, out.eventIds[0]);
    assert.deepEqual(node.galleryIds, [ids.g1]);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const stats = await server.gql(
      'query($i: RecognitionStatsInput!) { recognitionStats(input: $i) { galleryId count } }',
      { i: { from, to, bucket: 'DAY', groupBy: ['GALLERY'] } },
      tenant.secret,
    );
    assert.equal(stats.errors, undefined, JSON.stringify(stats.errors));
    const byGallery = new Map(stats.data!.recognitionStats.map((r: { galleryId: string; count: number }) => [r.galleryId, r.count]));
    assert.ok((byGallery.get(ids.g1) as number) >= 1, JSON.stringify(stats.data));
  });

  it('identifyFrames and verify take galleryIds too', async () => {
    const frames = await server.gql(
      'mutation($i: IdentifyFramesInput!) { identifyFrames(input: $i) { tracks { decision person { id } } } }',
      { i: { frames: [imageInput(pa!.files[4]!), imageInput(pa!.files[4]!)], galleryIds: [ids.g2] } },
      tenant.secret,
    );
    assert.equal(frames.data!.identifyFrames.tracks[0].decision, 'UNKNOWN');
    const VERIFY = 'mutation($i: VerifyInput!) { verify(input: $i) { decision } }';
    const inOne = await server.gql(VERIFY, { i: { image: imageInput(pa!.files[4]!), personId: ids.a, galleryIds: [ids.g1] } }, tenant.secret);
    assert.equal(inOne.data!.verify.decision, 'MATCH');
    const inTwo = await server.gql(VERIFY, { i: { image: imageInput(pa!.files[4]!), personId: ids.a, galleryIds: [ids.g2] } }, tenant.secret);
    assert.equal(inTwo.data!.verify.decision, 'UNKNOWN', 'A is in none of the searched galleries');
  });

  it('answers an empty list BAD_USER_INPUT and an unknown gallery NOT_FOUND', async () => {
    assert.equal(errorCode(await identify([])), 'BAD_USER_INPUT');
    assert.equal(errorCode(await identify(['00000000-0000-4000-8000-000000000000'])), 'NOT_FOUND');
  });
});

describe('keys scoped to galleries', () => {
  it('identify only against their galleries, and read only their people', async () => {
    const door = await keyScopedTo(server, tenant.secret, [ids.g2]);
    const forbidden = await identify([ids.g1], door.secret);
    assert.equal(errorCode(forbidden), 'FORBIDDEN', JSON.stringify(forbidden));
    // Without galleryIds the key searches its own galleries: B, not A.
    assert.equal((await identify(undefined, door.secret, pb!.files[4]!)).data!.identify.faces[0].person?.id, ids.b);
    assert.equal((await identify(undefined, door.secret)).data!.identify.faces[0].decision, 'UNKNOWN');
    const people = await server.gql('{ people(first: 50) { totalCount edges { node { id } } } }', {}, door.secret);
    assert.deepEqual(people.data!.people.edges.map((e: { node: { id: string } }) => e.node.id), [ids.b]);
    assert.equal(errorCode(await server.gql('query($id: ID!) { person(id: $id) { id } }', { id: ids.a }, door.secret)), 'NOT_FOUND');
    const galleries = await server.gql('{ galleries { totalCount edges { node { id } } } }', {}, door.secret);
    assert.deepEqual(galleries.data!.galleries.edges.map((e: { node: { id: string } }) => e.node.id), [ids.g2]);
    const verify = await server.gql('mutation($i: VerifyInput!) { verify(input: $i) { decision } }', { i: { image: imageInput(pa!.files[4]!), personId: ids.a } }, door.secret);
    assert.equal(errorCode(verify), 'NOT_FOUND', 'a person outside the key’s galleries does not exist for it');
  });

  it('the default gallery set is a tenant setting', async () => {
    const SET = 'mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) { settings { defaultGalleryIds } } }';
    const set = await server.gql(SET, { i: { defaultGalleryIds: [ids.g1] } }, tenant.secret);
    assert.deepEqual(set.data!.updateTenantSettings.settings.defaultGalleryIds, [ids.g1]);
    try {
      assert.equal((await identify(undefined)).data!.identify.faces[0].person?.id, ids.a);
    } finally {
      await server.gql(SET, { i: { defaultGalleryIds: [ids.defaultGallery] } }, tenant.secret);
    }
    assert.equal(errorCode(await server.gql(SET, { i: { defaultGalleryIds: [] } }, tenant.secret)), 'BAD_USER_INPUT');
  });

  it('are CLIENT keys only, and keep a gallery from being deleted while active', async () => {
    const operator = await server.gql(
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
      { i: { name: unique('op'), role: 'OPERATOR', galleryIds: [ids.g1] } },
      tenant.secret,
    );
    assert.equal(errorCode(operator), 'BAD_USER_INPUT');
    const g = await createGallery(server, tenant.secret, unique('kiosk'));
    const key = await keyScopedTo(server, tenant.secret, [g.id]);
    const DELETE = 'mutation($i: DeleteGalleryInput!) { deleteGallery(input: $i) { id } }';
    assert.equal(errorCode(await server.gql(DELETE, { i: { id: g.id } }, tenant.secret)), 'CONFLICT');
    await server.gql('mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { id } }', { i: { id: key.id } }, tenant.secret);
    assert.equal((await server.gql(DELETE, { i: { id: g.id } }, tenant.secret)).data?.deleteGallery.id, g.id);
    assert.equal(errorCode(await server.gql(DELETE, { i: { id: ids.defaultGallery } }, tenant.secret)), 'CONFLICT', 'the default gallery set');
  });
});

describe('membership changes', () => {
  it('moving a person between galleries changes the answer at once, with counts to match', async () => {
    const MOVE = `mutation($from: GalleryMembersInput!, $to: GalleryMembersInput!) {
      removeFromGallery(input: $from) { id personCount } addToGallery(input: $to) { id personCount faceCount } }`;
    const person = await enrollPerson(server, tenant.secret, pc!.files.slice(0, 2), [ids.g1]);
    const probe = pc!.files[4]!;
    assert.equal((await identify([ids.g1], tenant.secret, probe)).data!.identify.faces[0].person?.id, person.id);
    const moved = await server.gql(MOVE, { from: { galleryId: ids.g1, personIds: [person.id] }, to: { galleryId: ids.g2, personIds: [person.id] } }, tenant.secret);
    assert.equal(moved.errors, undefined, JSON.stringify(moved.errors));
    assert.ok(moved.data!.addToGallery.faceCount >= 2);
    assert.notEqual((await identify([ids.g1], tenant.secret, probe)).data!.identify.faces[0].person?.id, person.id);
    assert.equal((await identify([ids.g2], tenant.secret, probe)).data!.identify.faces[0].person?.id, person.id);
    await server.gql('mutation($i: DeletePersonInput!) { deletePerson(input: $i) { id } }', { i: { id: person.id } }, tenant.secret);
  });

  it('deleting a person removes them from every gallery’s index', async () => {
    const person = await enrollPerson(server, tenant.secret, pc!.files.slice(0, 2), [ids.g1, ids.g2]);
    const probe = pc!.files[4]!;
    for (const g of [ids.g1, ids.g2]) assert.equal((await identify([g], tenant.secret, probe)).data!.identify.faces[0].person?.id, person.id);
    await server.gql('mutation($i: DeletePersonInput!) { deletePerson(input: $i) { id } }', { i: { id: person.id } }, tenant.secret);
    for (const g of [ids.g1, ids.g2]) {
      const out = (await identify([g], tenant.secret, probe)).data!.identify.faces[0];
      assert.ok(out.candidates.every((c: { person: { id: string } | null }) => c.person?.id !== person.id), JSON.stringify(out));
    }
  });

  it('refuses unknown people and oversized lists without changing anything', async () => {
    const ADD = 'mutation($i: GalleryMembersInput!) { addToGallery(input: $i) { personCount } }';
    const missing = await server.gql(ADD, { i: { galleryId: ids.g1, personIds: [ids.b, '00000000-0000-4000-8000-000000000000'] } }, tenant.secret);
    assert.equal(errorCode(missing), 'NOT_FOUND');
    const big = await server.gql(ADD, { i: { galleryId: ids.g1, personIds: Array.from({ length: 1001 }, () => ids.b) } }, tenant.secret);
    assert.equal(errorCode(big), 'BATCH_TOO_LARGE');
    const other = await createPerson(server, tenant.secret, { galleryIds: [] });
    const none = await server.gql('query($id: ID!) { person(id: $id) { galleries { id } } }', { id: other.id }, tenant.secret);
    assert.deepEqual(none.data!.person.galleries, []);
    const stillOut = await server.gql('query($id: ID!) { person(id: $id) { galleries { id } } }', { id: ids.b }, tenant.secret);
    assert.deepEqual(stillOut.data!.person.galleries.map((g: { id: string }) => g.id), [ids.g2]);
  });

  it('names must be unique within the tenant', async () => {
    const taken = await server.gql('mutation($i: CreateGalleryInput!) { createGallery(input: $i) { id } }', { i: { name: 'site-a' } }, tenant.secret);
    assert.equal(errorCode(taken), 'CONFLICT');
  });
});

