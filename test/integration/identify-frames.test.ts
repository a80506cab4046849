import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, errorCode, type TestTenant } from '../support/factories.js';
import { facesDevPeople, imageInput } from '../support/datasets.js';

const IDENTIFY_FRAMES = `mutation($input: IdentifyFramesInput!) { identifyFrames(input: $input) {
  framesRead eventIds
  tracks { decision agreement supportingFrames frameCount distance person { id displayName } box { x y width height }
    frames { frame decision weight distance quality { sharpness } person { id } } } } }`;

let server: TestServer;
let tenant: TestTenant;
const enrolled = new Map<string, { id: string; probe: string }>();

before(async () => {
  server = await startTestServer();
  tenant = await createTenant(server);
  for (const p of facesDevPeople(5).filter((p) => ['Angelina_Jolie', 'Barack_Obama', 'BBT_Penny', 'BBT_Raj'].includes(p.name))) {
    const person = await createPerson(server, tenant.secret, { displayName: p.name, externalId: p.name });
    const res = await server.gql(`mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { status } } }`, { input: { personId: person.id, images: p.files.slice(0, 3).map(imageInput), largestFaceOnly: true } }, tenant.secret);
    assert.equal(res.data?.enrollFaces.session.status, 'COMPLETED', JSON.stringify(res));
    enrolled.set(p.name, { id: person.id, probe: p.files[3]! });
  }
});
after(async () => server?.stop());

/** A camera that drifts a few pixels per frame over the photo: consecutive frames of one scene. */
async function drift(file: string, count: number, step = 6): Promise<Buffer[]> {
  const { width, height } = await sharp(file).metadata();
  const w = Math.round(width! * 0.9);
  const h = Math.round(height! * 0.9);
  return Promise.all(Array.from({ length: count }, (_, i) => sharp(file).extract({ left: i * step, top: i * step, width: w, height: h }).png().toBuffer()));
}

const frame = (b: Buffer, i: number) => ({ data: b.toString('base64'), filename: `frame-${i}.png` });

async function identifyFrames(frames: Buffer[], token = tenant.secret, extra: Record<string, unknown> = {}) {
  const res = await server.gql(IDENTIFY_FRAMES, { input: { frames: frames.map(frame), ...extra } }, token);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.identifyFrames;
}

describe('identifyFrames', () => {
  it('names the person of a track even though its blurred frame, alone, is not recognised', async () => {
    const { id, probe } = enrolled.get('Angelina_Jolie')!;
    const frames = await drift(probe, 5);
    frames[2] = await sharp(frames[2]!).blur(20).png().toBuffer();

    // The blurred frame on its own: the face is found but not recognised.
    const alone = await identifyFrames([frames[2]!]);
    assert.equal(alone.tracks.length, 1);
    assert.notEqual(alone.tracks[0].person?.id, id, 'the blurred frame alone must be misread for this test to mean anything');

    const out = await identifyFrames(frames, (await createKey(server, tenant, 'CLIENT')).secret, { source: 'blur-cam' });
    assert.equal(out.framesRead, 5);
    assert.equal(out.tracks.length, 1, JSON.stringify(out.tracks));
    const [track] = out.tracks;
    assert.equal(track.decision, 'MATCH');
    assert.equal(track.person.id, id);
    assert.equal(track.frameCount, 5, 'the blurred face is linked into the same track');
    assert.equal(track.supportingFrames, 4);
    assert.equal(track.agreement, 0.8);
    const blurred = track.frames.find((f: { frame: number }) => f.frame === 2);
    assert.notEqual(blurred.person?.id, id);
    assert.ok(blurred.weight < Math.min(...track.frames.filter((f: { frame: number }) => f.frame !== 2).map((f: { weight: number }) => f.weight)) / 2, 'a blurred face counts less');
    assert.equal(out.eventIds.length, 1);
    const events = await server.gql('{ recognitionEvents(first: 5, filter: {source: "blur-cam"}) { edges { node { decision personId frames } } } }', {}, tenant.secret);
    assert.deepEqual(events.data!.recognitionEvents.edges.map((e: { node: unknown }) => e.node), [{ decision: 'MATCH', personId: id, frames: 4 }]);
  });

  it('lets sharp frames outvote as many blurred ones: the vote is weighted by quality', async () => {
    const { id, probe } = enrolled.get('Angelina_Jolie')!;
    const frames = await drift(probe, 4);
    for (const i of [1, 2]) frames[i] = await sharp(frames[i]!).blur(20).png().toBuffer();
    const out = await identifyFrames(frames);
    assert.equal(out.tracks.length, 1);
    assert.equal(out.tracks[0].frameCount, 4);
    assert.equal(out.tracks[0].person?.id, id);
    assert.equal(out.tracks[0].agreement, 0.5);
  });

  it('keeps two people of one scene apart: one track and one event each', async () => {
    const left = enrolled.get('BBT_Penny')!;
    const right = enrolled.get('BBT_Raj')!;
    const side = 300;
    const frames: Buffer[] = [];
    for (let i = 0; i < 4; i++) {
      const [a, b] = await Promise.all([left.probe, right.probe].map((f) => sharp(f).resize(side, side).png().toBuffer()));
      frames.push(
        await sharp({ create: { width: side * 2 + 100, height: side + 40, channels: 3, background: { r: 90, g: 90, b: 90 } } })
          .composite([{ input: a!, left: 10 + i * 4, top: 20 }, { input: b!, left: side + 90 - i * 4, top: 20 }])
          .png()
          .toBuffer(),
      );
    }
    const out = await identifyFrames(frames);
    assert.equal(out.tracks.length, 2, JSON.stringify(out.tracks.map((t: { frameCount: number }) => t.frameCount)));
    const ids = out.tracks.map((t: { person: { id: string } | null }) => t.person?.id).sort();
    assert.deepEqual(ids, [left.id, right.id].sort());
    for (const t of out.tracks) assert.equal(t.frameCount, 4);
    assert.equal(out.eventIds.length, 2);
  });

  it('records one NO_FACE event for a clip without faces', async () => {
    const blank = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 200, g: 200, b: 200 } } }).png().toBuffer();
    const out = await identifyFrames([blank, blank, blank], tenant.secret, { source: 'empty-cam' });
    assert.deepEqual(out.tracks, []);
    assert.equal(out.eventIds.length, 1);
    const events = await server.gql('{ recognitionEvents(first: 5, filter: {source: "empty-cam"}) { edges { node { decision frames } } } }', {}, tenant.secret);
    assert.deepEqual(events.data!.recognitionEvents.edges.map((e: { node: unknown }) => e.node), [{ decision: 'NO_FACE', frames: 3 }]);
  });

  it('refuses more frames than configured, a bad frame by its index, and a VIEWER key', async () => {
    const small = (await drift(enrolled.get('BBT_Penny')!.probe, 1))[0]!;
    const tooMany = await server.gql(IDENTIFY_FRAMES, { input: { frames: Array.from({ length: 17 }, (_, i) => frame(small, i)) } }, tenant.secret);
    assert.equal(errorCode(tooMany), 'BATCH_TOO_LARGE');
    const bad = await server.gql(IDENTIFY_FRAMES, { input: { frames: [frame(small, 0), { data: Buffer.from('not an image').toString('base64') }] } }, tenant.secret);
    assert.equal(errorCode(bad), 'INVALID_IMAGE');
    assert.match(bad.errors![0]!.message, /Frame 1/);
    const viewer = await createKey(server, tenant, 'VIEWER');
    assert.equal(errorCode(await server.gql(IDENTIFY_FRAMES, { input: { frames: [frame(small, 0)] } }, viewer.secret)), 'FORBIDDEN');
  });
});
