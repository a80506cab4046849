import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, errorCode, type TestTenant } from '../support/factories.js';
import { DATASETS, facesDevPeople, imageInput, listImages } from '../support/datasets.js';
import { openTestDatabase } from '../support/test-database.js';

const ENROLL = `mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) {
  session { id status imagesAccepted imagesRejected stats } results { index accepted faceId reason message } } }`;
const IDENTIFY = `mutation($input: IdentifyInput!) { identify(input: $input) {
  faces { decision distance votes person { id displayName } box { x y width height } candidates { faceId distance person { id } } }
  eventIds timingsMs { decode detect embed search total } } }`;

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => server?.stop());

async function enroll(tenant: TestTenant, name: string, files: string[]) {
  const person = await createPerson(server, tenant.secret, { displayName: name, externalId: name });
  const res = await server.gql(ENROLL, { input: { personId: person.id, images: files.map(imageInput), largestFaceOnly: true } }, tenant.secret);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return { person, result: res.data!.enrollFaces };
}

async function identify(token: string, file: string, extra: Record<string, unknown> = {}) {
  const res = await server.gql(IDENTIFY, { input: { image: imageInput(file), source: 'test-cam', ...extra } }, token);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.identify;
}

describe('enroll and identify on real photos', () => {
  let tenant: TestTenant;
  const probes: { name: string; file: string }[] = [];

  before(async () => {
    tenant = await createTenant(server);
    for (const p of facesDevPeople(4)) {
      await enroll(tenant, p.name, p.files.slice(0, 3));
      for (const file of p.files.slice(3)) probes.push({ name: p.name, file });
    }
  });

  it('names at least 90 % of the held-out photos of enrolled people', async () => {
    let correct = 0;
    const misses: string[] = [];
    for (const probe of probes) {
      const out = await identify(tenant.secret, probe.file, { maxFaces: 1 });
      const name = out.faces[0]?.person?.displayName;
      if (name === probe.name) correct++;
      else misses.push(`${path.basename(probe.file)} → ${name ?? out.faces[0]?.decision ?? 'no face'}`);
    }
    const accuracy = correct / probes.length;
    assert.ok(accuracy >= 0.9, `accuracy ${accuracy.toFixed(3)} on ${probes.length} probes; misses: ${misses.join(', ')}`);
  });

  it('applies a change of the tenant’s settings from the very next identify', async () => {
    // The settings come with the key's read (one round trip): a change must not wait for any cache.
    const own = await createTenant(server);
    const p = facesDevPeople(4).find((x) => x.files.length > 3)!;
    await enroll(own, p.name, p.files.slice(0, 3));
    const probe = p.files[3]!;
    assert.equal((await identify(own.secret, probe, { maxFaces: 1 })).faces[0]?.decision, 'MATCH');
    const update = 'mutation($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { settings { threshold } } }';
    const res = await server.gql(update, { input: { threshold: 0.01 } }, own.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal((await identify(own.secret, probe, { maxFaces: 1 })).faces[0]?.decision, 'UNKNOWN');
  });

  it('finds no face in photos without people and records a NO_FACE event', async () => {
    for (const file of listImages(path.join(DATASETS, 'nonface/no_face'))) {
      const out = await identify(tenant.secret, file);
      assert.equal(out.faces.length, 0, path.basename(file));
      assert.equal(out.eventIds.length, 1);
    }
    const events = await server.gql('{ recognitionEvents(first: 3, filter: {decision: NO_FACE}) { totalCount edges { node { decision source frames } } } }', {}, tenant.secret);
    assert.ok(events.data!.recognitionEvents.totalCount >= 1);
    assert.deepEqual(events.data!.recognitionEvents.edges[0].node, { decision: 'NO_FACE', source: 'test-cam', frames: 1 });
  });

  it('answers UNKNOWN for every face of people nobody enrolled', async () => {
    for (const file of listImages(path.join(DATASETS, 'scenes/unknown_people'))) {
      const out = await identify(tenant.secret, file);
      assert.ok(out.faces.length > 0, path.basename(file));
      for (const face of out.faces) assert.equal(face.decision, 'UNKNOWN', `${path.basename(file)}: ${face.person?.displayName} at ${face.distance}`);
      assert.equal(out.eventIds.length, out.faces.length);
    }
  });

  it('counts a call once in the reports, however many faces it wrote', async () => {
    const own = await createTenant(server);
    const files = listImages(path.join(DATASETS, 'scenes/unknown_people'));
    let faces = 0;
    for (const file of files) faces += (await identify(own.secret, file)).faces.length;
    assert.ok(faces > files.length, 'some scene holds several faces');
    const day = 86_400_000;
    const range = { from: new Date(Date.now() - day).toISOString(), to: new Date(Date.now() + day).toISOString() };
    const res = await server.gql('query($i: UnknownRateInput!) { unknownRate(input: $i) { events calls } }', { i: { ...range, bucket: 'MONTH' } }, own.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const sum = (key: 'events' | 'calls') => res.data!.unknownRate.reduce((s: number, r: Record<string, number>) => s + r[key]!, 0);
    assert.deepEqual([sum('events'), sum('calls')], [faces, files.length]);
  });
});

describe('deletion and isolation', () => {
  it('forgets a deleted person everywhere: identify, database and index', async () => {
    const tenant = await createTenant(server);
    const [p] = facesDevPeople(5);
    const { person } = await enroll(tenant, p!.name, p!.files.slice(0, 3));
    const before = await identify(tenant.secret, p!.files[4]!);
    assert.equal(before.faces[0].person?.id, person.id);
    const del = await server.gql('mutation($input: DeletePersonInput!) { deletePerson(input: $input) { id } }', { input: { id: person.id } }, tenant.secret);
    assert.equal(del.errors, undefined);
    const afterDelete = await identify(tenant.secret, p!.files[4]!);
    assert.equal(afterDelete.faces[0].decision, 'UNKNOWN');
    assert.deepEqual(afterDelete.faces[0].candidates, []);
    const db = await openTestDatabase(server.database);
    try {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM "Face" WHERE "personId" = $1', [person.id]);
      assert.equal(rows[0].n, 0);
    } finally {
      await db.close();
    }
  });

  it('never returns another tenant’s people, even for the identical photo', async () => {
    const a = await createTenant(server);
    const b = await createTenant(server);
    const [p] = facesDevPeople(5);
    await enroll(a, p!.name, p!.files.slice(0, 3));
    const other = await enroll(b, 'someone else', [facesDevPeople(5)[1]!.files[0]!]);
    const out = await identify(b.secret, p!.files[0]!);
    for (const face of out.faces) {
      assert.notEqual(face.decision, 'MATCH');
      for (const c of face.candidates) assert.equal(c.person?.id, other.person.id);
    }
  });

  it('deletes one face and its vector', async () => {
    const tenant = await createTenant(server);
    const [p] = facesDevPeople(5);
    const { result } = await enroll(tenant, p!.name, p!.files.slice(0, 2));
    const faceId = result.results.find((r: { accepted: boolean }) => r.accepted).faceId;
    const del = await server.gql('mutation($input: DeleteFaceInput!) { deleteFace(input: $input) { id } }', { input: { id: faceId } }, tenant.secret);
    assert.equal(del.data!.deleteFace.id, faceId);
    const again = await server.gql('mutation($input: DeleteFaceInput!) { deleteFace(input: $input) { id } }', { input: { id: faceId } }, tenant.secret);
    assert.equal(errorCode(again), 'NOT_FOUND');
  });
});

describe('enrollment sessions and bad input', () => {
  it('rejects images per reason and keeps the session usable', async () => {
    const tenant = await createTenant(server);
    const person = await createPerson(server, tenant.secret);
    const start = await server.gql('mutation($input: StartEnrollmentInput!) { startEnrollment(input: $input) { id status } }', { input: { personId: person.id } }, tenant.secret);
    const sessionId = start.data!.startEnrollment.id;
    const [p] = facesDevPeople(5);
    const scene = listImages(path.join(DATASETS, 'scenes/unknown_people')).find((f) => /_[3-9]faces/.test(f))!;
    const images = [
      imageInput(p!.files[0]!),
      imageInput(p!.files[0]!),
      imageInput(listImages(path.join(DATASETS, 'nonface/no_face'))[0]!),
      imageInput(scene),
      { data: Buffer.from('definitely not an image').toString('base64'), filename: 'junk.jpg' },
    ];
    const add = await server.gql('mutation($input: AddEnrollmentImagesInput!) { addEnrollmentImages(input: $input) { session { imagesAccepted imagesRejected stats } results { accepted reason } } }', { input: { sessionId, images } }, tenant.secret);
    assert.equal(add.errors, undefined, JSON.stringify(add.errors));
    assert.deepEqual(add.data!.addEnrollmentImages.results.map((r: { reason: string | null }) => r.reason), [null, 'DUPLICATE', 'NO_FACE', 'MULTIPLE_FACES', 'INVALID_IMAGE']);
    assert.equal(add.data!.addEnrollmentImages.session.imagesAccepted, 1);
    assert.equal(add.data!.addEnrollmentImages.session.imagesRejected, 4);
    const done = await server.gql('mutation($input: EnrollmentSessionInput!) { completeEnrollment(input: $input) { status } }', { input: { sessionId } }, tenant.secret);
    assert.equal(done.data!.completeEnrollment.status, 'COMPLETED');
    const twice = await server.gql('mutation($input: EnrollmentSessionInput!) { completeEnrollment(input: $input) { status } }', { input: { sessionId } }, tenant.secret);
    assert.equal(errorCode(twice), 'CONFLICT');
  });

  it('makes faces searchable only on completion, and cancel discards them', async () => {
    const tenant = await createTenant(server);
    const person = await createPerson(server, tenant.secret);
    const [p] = facesDevPeople(5);
    const sessionId = (await server.gql('mutation($input: StartEnrollmentInput!) { startEnrollment(input: $input) { id } }', { input: { personId: person.id } }, tenant.secret)).data!.startEnrollment.id;
    await server.gql('mutation($input: AddEnrollmentImagesInput!) { addEnrollmentImages(input: $input) { session { id } } }', { input: { sessionId, images: p!.files.slice(0, 2).map(imageInput) } }, tenant.secret);
    assert.equal((await identify(tenant.secret, p!.files[3]!)).faces[0].decision, 'UNKNOWN');
    const cancel = await server.gql('mutation($input: EnrollmentSessionInput!) { cancelEnrollment(input: $input) { status } }', { input: { sessionId } }, tenant.secret);
    assert.equal(cancel.data!.cancelEnrollment.status, 'CANCELLED');
    const faces = await server.gql('query($id: ID!) { person(id: $id) { faces { id } } }', { id: person.id }, tenant.secret);
    assert.deepEqual(faces.data!.person.faces, []);
  });

  it('refuses oversized batches, bad parameters and other tenants’ ids without storing anything', async () => {
    const tenant = await createTenant(server);
    const other = await createTenant(server);
    const person = await createPerson(server, tenant.secret);
    const [p] = facesDevPeople(5);
    const many = Array.from({ length: 21 }, () => imageInput(p!.files[0]!));
    assert.equal(errorCode(await server.gql(ENROLL, { input: { personId: person.id, images: many } }, tenant.secret)), 'BATCH_TOO_LARGE');
    assert.equal(errorCode(await server.gql(ENROLL, { input: { personId: person.id, images: [imageInput(p!.files[0]!)] } }, other.secret)), 'NOT_FOUND');
    const bad = await server.gql(IDENTIFY, { input: { image: imageInput(p!.files[0]!), k1: 4, k2: 2 } }, tenant.secret);
    assert.equal(errorCode(bad), 'BAD_USER_INPUT');
    const junk = await server.gql(IDENTIFY, { input: { image: { data: '%%%not base64%%%' } } }, tenant.secret);
    assert.equal(errorCode(junk), 'INVALID_IMAGE');
    const corrupt = await server.gql(IDENTIFY, { input: { image: { data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).toString('base64') } } }, tenant.secret);
    assert.equal(errorCode(corrupt), 'INVALID_IMAGE');
    const viewerKey = await createKey(server, tenant, 'VIEWER');
    assert.equal(errorCode(await server.gql(IDENTIFY, { input: { image: imageInput(p!.files[0]!) } }, viewerKey.secret)), 'FORBIDDEN');
    const faces = await server.gql('query($id: ID!) { person(id: $id) { faces { id } } }', { id: person.id }, tenant.secret);
    assert.deepEqual(faces.data!.person.faces, []);
  });
});
