import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, errorCode, type TestTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';
import { createGallery } from '../support/galleries.js';

/**
 * Every query and mutation that takes an id, tried with another tenant's ADMIN key: each must
 * answer NOT_FOUND (never revealing that the id exists) and change nothing.
 */
let server: TestServer;
let a: TestTenant;
let b: TestTenant;
const ids = { person: '', session: '', face: '', key: '', gallery: '', ownGallery: '', ownPerson: '' };

before(async () => {
  server = await startTestServer();
  a = await createTenant(server);
  b = await createTenant(server);
  const person = await createPerson(server, a.secret, { displayName: 'Owned by A', externalId: 'a-1' });
  ids.person = person.id;
  const [p] = facesDevPeople(5);
  const enrolled = await server.gql(
    'mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { results { faceId } } }',
    { input: { personId: person.id, images: [imageInput(p!.files[0]!)] } },
    a.secret,
  );
  ids.face = enrolled.data!.enrollFaces.results[0].faceId;
  ids.session = (await server.gql('mutation($input: StartEnrollmentInput!) { startEnrollment(input: $input) { id } }', { input: { personId: person.id } }, a.secret)).data!.startEnrollment.id;
  ids.key = (await createKey(server, a, 'OPERATOR')).id;
  ids.gallery = (await createGallery(server, a.secret, 'owned-by-a')).id;
  // B's own gallery and person: an operation naming one of them and one of A's must still fail.
  ids.ownGallery = (await createGallery(server, b.secret)).id;
  ids.ownPerson = (await createPerson(server, b.secret)).id;
});
after(async () => server?.stop());

const attempts: [string, string, () => Record<string, unknown>][] = [
  ['person', 'query($id: ID!) { person(id: $id) { id } }', () => ({ id: ids.person })],
  ['enrollmentSession', 'query($id: ID!) { enrollmentSession(id: $id) { id } }', () => ({ id: ids.session })],
  ['updatePerson', 'mutation($i: UpdatePersonInput!) { updatePerson(input: $i) { id } }', () => ({ i: { id: ids.person, displayName: 'hijacked' } })],
  ['deletePerson', 'mutation($i: DeletePersonInput!) { deletePerson(input: $i) { id } }', () => ({ i: { id: ids.person } })],
  ['startEnrollment', 'mutation($i: StartEnrollmentInput!) { startEnrollment(input: $i) { id } }', () => ({ i: { personId: ids.person } })],
  ['enrollFaces', 'mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { session { id } } }', () => ({ i: { personId: ids.person, images: [imageInput(facesDevPeople(5)[0]!.files[1]!)] } })],
  ['addEnrollmentImages', 'mutation($i: AddEnrollmentImagesInput!) { addEnrollmentImages(input: $i) { session { id } } }', () => ({ i: { sessionId: ids.session, images: [imageInput(facesDevPeople(5)[0]!.files[1]!)] } })],
  ['completeEnrollment', 'mutation($i: EnrollmentSessionInput!) { completeEnrollment(input: $i) { id } }', () => ({ i: { sessionId: ids.session } })],
  ['cancelEnrollment', 'mutation($i: EnrollmentSessionInput!) { cancelEnrollment(input: $i) { id } }', () => ({ i: { sessionId: ids.session } })],
  ['deleteFace', 'mutation($i: DeleteFaceInput!) { deleteFace(input: $i) { id } }', () => ({ i: { id: ids.face } })],
  ['revokeApiKey', 'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { id } }', () => ({ i: { id: ids.key } })],
  ['rotateApiKey', 'mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { secret } }', () => ({ i: { id: ids.key, graceMinutes: 0 } })],
  ['erasePerson', 'mutation($i: ErasePersonInput!) { erasePerson(input: $i) { personId } }', () => ({ i: { id: ids.person } })],
  ['updateGallery', 'mutation($i: UpdateGalleryInput!) { updateGallery(input: $i) { id } }', () => ({ i: { id: ids.gallery, name: 'hijacked' } })],
  ['deleteGallery', 'mutation($i: DeleteGalleryInput!) { deleteGallery(input: $i) { id } }', () => ({ i: { id: ids.gallery } })],
  ['addToGallery (gallery)', 'mutation($i: GalleryMembersInput!) { addToGallery(input: $i) { id } }', () => ({ i: { galleryId: ids.gallery, personIds: [ids.ownPerson] } })],
  ['addToGallery (person)', 'mutation($i: GalleryMembersInput!) { addToGallery(input: $i) { id } }', () => ({ i: { galleryId: ids.ownGallery, personIds: [ids.person] } })],
  ['removeFromGallery (gallery)', 'mutation($i: GalleryMembersInput!) { removeFromGallery(input: $i) { id } }', () => ({ i: { galleryId: ids.gallery, personIds: [ids.ownPerson] } })],
  ['removeFromGallery (person)', 'mutation($i: GalleryMembersInput!) { removeFromGallery(input: $i) { id } }', () => ({ i: { galleryId: ids.ownGallery, personIds: [ids.person] } })],
  ['identify galleryIds', 'mutation($i: IdentifyInput!) { identify(input: $i) { eventIds } }', () => ({ i: { image: imageInput(facesDevPeople(5)[0]!.files[1]!), galleryIds: [ids.gallery] } })],
  ['identifyFrames galleryIds', 'mutation($i: IdentifyFramesInput!) { identifyFrames(input: $i) { eventIds } }', () => ({ i: { frames: [imageInput(facesDevPeople(5)[0]!.files[1]!)], galleryIds: [ids.gallery] } })],
  ['verify galleryIds', 'mutation($i: VerifyInput!) { verify(input: $i) { decision } }', () => ({ i: { image: imageInput(facesDevPeople(5)[0]!.files[1]!), personId: ids.ownPerson, galleryIds: [ids.gallery] } })],
  ['createPerson galleryIds', 'mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }', () => ({ i: { displayName: 'x', galleryIds: [ids.gallery] } })],
  ['createApiKey galleryIds', 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', () => ({ i: { name: 'door', role: 'CLIENT', galleryIds: [ids.gallery] } })],
  ['updateTenantSettings defaultGalleryIds', 'mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) { id } }', () => ({ i: { defaultGalleryIds: [ids.gallery] } })],
];

describe('tenant isolation', () => {
  for (const [name, query, variables] of attempts) {
    it(`${name} with another tenant's id answers NOT_FOUND`, async () => {
      const res = await server.gql(query, variables(), b.secret);
      assert.equal(errorCode(res), 'NOT_FOUND', JSON.stringify(res));
    });
  }

  it('left tenant A exactly as it was', async () => {
    const res = await server.gql(
      `query($id: ID!, $s: ID!) { person(id: $id) { displayName externalId faces { id } } enrollmentSession(id: $s) { status imagesAccepted } apiKeys { edges { node { id revokedAt expiresAt } } }
        galleries(first: 50) { edges { node { id name personCount } } } }`,
      { id: ids.person, s: ids.session },
      a.secret,
    );
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data!.person.displayName, 'Owned by A');
    assert.deepEqual(res.data!.person.faces.map((f: { id: string }) => f.id), [ids.face]);
    assert.deepEqual(res.data!.enrollmentSession, { status: 'OPEN', imagesAccepted: 0 });
    const key = res.data!.apiKeys.edges.find((e: { node: { id: string } }) => e.node.id === ids.key);
    assert.equal(key.node.revokedAt, null);
    assert.equal(key.node.expiresAt, null, 'not rotated away');
    const gallery = res.data!.galleries.edges.find((e: { node: { id: string } }) => e.node.id === ids.gallery);
    assert.deepEqual(gallery?.node, { id: ids.gallery, name: 'owned-by-a', personCount: 0 });
  });

  it('filters and lists only the caller’s own records', async () => {
    const people = await server.gql('{ people(search: "Owned by A") { totalCount } }', {}, b.secret);
    assert.equal(people.data!.people.totalCount, 0);
    const events = await server.gql('query($p: ID) { recognitionEvents(filter: {personId: $p}) { totalCount } }', { p: ids.person }, b.secret);
    assert.equal(events.data!.recognitionEvents.totalCount, 0);
    const keys = await server.gql('{ apiKeys { edges { node { id } } } }', {}, b.secret);
    assert.ok(keys.data!.apiKeys.edges.every((e: { node: { id: string } }) => e.node.id !== ids.key));
    const audit = await server.gql('query($t: ID) { auditLog(filter: {targetId: $t}) { totalCount } }', { t: ids.person }, b.secret);
    assert.equal(audit.data!.auditLog.totalCount, 0);
  });
});
