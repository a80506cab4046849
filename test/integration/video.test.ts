import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, errorCode, type TestTenant } from '../support/factories.js';
import { DATASETS, facesDevPeople, imageInput, listImages } from '../support/datasets.js';
import { openTestDatabase } from '../support/test-database.js';
import { postMultipart } from '../support/multipart.js';

const ENROLL_VIDEO = `mutation($input: EnrollVideoInput!) { enrollVideo(input: $input) { id personId status source imagesAccepted imagesRejected stats } }`;
const IDENTIFY = `mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision person { id } distance } } }`;
const IDENTIFY_VIDEO = `mutation($input: IdentifyVideoInput!) { identifyVideo(input: $input) {
  framesRead eventIds tracks { decision agreement supportingFrames frameCount distance person { id } frames { frame decision weight } } } }`;

const work = mkdtempSync(path.join(tmpdir(), 'visage-video-test-'));

/**
 * A real video made from one still photo: a slow zoom towards the centre, 640x360 at 10 fps,
 * H.264 in MP4 (what a phone or a browser upload usually is).
 */
function panZoomVideo(photo: string, name: string, seconds = 3): string {
  const out = path.join(work, name);
  const frames = seconds * 10;
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-i', photo,
    '-vf', `scale=960:540:force_original_aspect_ratio=decrease,pad=960:540:(ow-iw)/2:(oh-ih)/2,zoompan=z='1+0.005*on':d=${frames}:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s=640x360:fps=10`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

function videoInput(file: string) {
  return { data: readFileSync(file).toString('base64'), filename: path.basename(file) };
}

let server: TestServer;
let tenant: TestTenant;
let person: { id: string };
let photos: string[];
before(async () => {
  server = await startTestServer({ VISAGE_MAX_VIDEO_BYTES: '2mb' });
  tenant = await createTenant(server);
  photos = facesDevPeople(3).find((p) => p.name === 'Barack_Obama')!.files;
  person = await createPerson(server, tenant.secret, { displayName: 'Barack Obama', externalId: 'obama' });
});
after(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function sessionsOf(personId: string): Promise<number> {
  const db = await openTestDatabase(server.database);
  try {
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM "EnrollmentSession" WHERE "personId" = $1', [personId]);
    return rows[0].n;
  } finally {
    await db.close();
  }
}

describe('enrollVideo', () => {
  it('enrolls a person from a short video, and identify then names a different photo of them', async () => {
    const video = panZoomVideo(photos[0]!, 'person.mp4');
    const res = await server.gql(ENROLL_VIDEO, { input: { personId: person.id, video: videoInput(video), fps: 4 } }, tenant.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const session = res.data!.enrollVideo;
    assert.equal(session.status, 'COMPLETED');
    assert.equal(session.source, 'VIDEO');
    assert.equal(session.stats.framesRead, 12);
    assert.ok(session.imagesAccepted >= 1, JSON.stringify(session));
    // The zoom over one still photo gives near-identical faces: most frames are dropped as such.
    assert.ok(session.stats.nearDuplicates >= 1, JSON.stringify(session.stats));
    assert.equal(session.imagesAccepted + session.imagesRejected + session.stats.notSelected, session.stats.framesRead);

    const out = await server.gql(IDENTIFY, { input: { image: imageInput(photos[1]!) } }, tenant.secret);
    assert.equal(out.errors, undefined, JSON.stringify(out.errors));
    const match = out.data!.identify.faces.find((f: { decision: string }) => f.decision === 'MATCH');
    assert.equal(match?.person?.id, person.id, JSON.stringify(out.data));
  });

  it('keeps at most maxFrames faces', async () => {
    const other = await createPerson(server, tenant.secret);
    const video = panZoomVideo(photos[2]!, 'maxframes.mp4', 4);
    const res = await server.gql(ENROLL_VIDEO, { input: { personId: other.id, video: videoInput(video), fps: 10, maxFrames: 1 } }, tenant.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    assert.equal(res.data!.enrollVideo.imagesAccepted, 1);
    assert.equal(res.data!.enrollVideo.stats.framesRead, 40);
  });

  it('fails the session of a video without faces: nothing accepted, every frame NO_FACE', async () => {
    const other = await createPerson(server, tenant.secret);
    const video = panZoomVideo(listImages(path.join(DATASETS, 'nonface/no_face'))[0]!, 'noface.mp4', 2);
    const res = await server.gql(ENROLL_VIDEO, { input: { personId: other.id, video: videoInput(video) } }, tenant.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const session = res.data!.enrollVideo;
    assert.equal(session.status, 'FAILED');
    assert.equal(session.imagesAccepted, 0);
    assert.equal(session.stats.framesRead, 4);
    assert.equal(session.stats.NO_FACE, 4);
  });

  it('refuses garbage, a truncated video and a still image with INVALID_VIDEO, storing nothing', async () => {
    const other = await createPerson(server, tenant.secret);
    const good = readFileSync(panZoomVideo(photos[0]!, 'to-truncate.mp4'));
    const bad = [
      { data: Buffer.from('definitely not a video '.repeat(100)).toString('base64'), filename: 'junk.mp4' },
      { data: good.subarray(0, Math.floor(good.length / 2)).toString('base64'), filename: 'truncated.mp4' },
      { data: readFileSync(photos[0]!).toString('base64'), filename: 'photo.mp4' },
      { data: '%%%not base64%%%' },
    ];
    for (const video of bad) {
      const res = await server.gql(ENROLL_VIDEO, { input: { personId: other.id, video } }, tenant.secret);
      assert.equal(errorCode(res), 'INVALID_VIDEO', `${video.filename}: ${JSON.stringify(res.errors)}`);
    }
    assert.equal(await sessionsOf(other.id), 0);
  });

  it('takes the video as a multipart file part, with the same result as base64, and the video limits', async () => {
    const video = readFileSync(panZoomVideo(photos[2]!, 'upload.mp4', 2));
    const upload = (personId: string, bytes: Buffer) =>
      postMultipart(server, tenant.secret, {
        operations: { query: ENROLL_VIDEO, variables: { input: { personId, video: { file: null }, fps: 4 } } },
        map: { 0: ['variables.input.video.file'] },
        files: { 0: bytes },
      });
    const [viaFile, viaBase64] = [await createPerson(server, tenant.secret), await createPerson(server, tenant.secret)];
    const uploaded = await upload(viaFile.id, video);
    assert.equal(uploaded.errors, undefined, JSON.stringify(uploaded.errors));
    const encoded = await server.gql(ENROLL_VIDEO, { input: { personId: viaBase64.id, video: videoInput(path.join(work, 'upload.mp4')), fps: 4 } }, tenant.secret);
    const outcome = (s: Record<string, unknown>) => ({ status: s.status, source: s.source, imagesAccepted: s.imagesAccepted, imagesRejected: s.imagesRejected, stats: s.stats });
    assert.deepEqual(outcome(uploaded.data!.enrollVideo), outcome(encoded.data!.enrollVideo));
    assert.equal(errorCode(await upload(viaFile.id, Buffer.alloc(3 * 1024 * 1024))), 'VIDEO_TOO_LARGE');
    assert.equal(errorCode(await upload(viaFile.id, Buffer.from('definitely not a video '.repeat(100)))), 'INVALID_VIDEO');
    const neither = await server.gql(ENROLL_VIDEO, { input: { personId: viaFile.id, video: {} } }, tenant.secret);
    assert.equal(errorCode(neither), 'BAD_USER_INPUT');
    assert.match(neither.errors![0]!.message, /The video needs `data` \(base64\) or `file`/);
  });

  it('refuses a video over the size limit with VIDEO_TOO_LARGE', async () => {
    const res = await server.gql(ENROLL_VIDEO, { input: { personId: person.id, video: { data: Buffer.alloc(3 * 1024 * 1024).toString('base64') } } }, tenant.secret);
    assert.equal(errorCode(res), 'VIDEO_TOO_LARGE');
  });

  it('checks role, person and parameters', async () => {
    const client = await createKey(server, tenant, 'CLIENT');
    const video = { data: Buffer.from('x').toString('base64') };
    assert.equal(errorCode(await server.gql(ENROLL_VIDEO, { input: { personId: person.id, video } }, client.secret)), 'FORBIDDEN');
    assert.equal(errorCode(await server.gql(ENROLL_VIDEO, { input: { personId: '00000000-0000-0000-0000-000000000000', video } }, tenant.secret)), 'NOT_FOUND');
    assert.equal(errorCode(await server.gql(ENROLL_VIDEO, { input: { personId: person.id, video, fps: 0 } }, tenant.secret)), 'BAD_USER_INPUT');
    assert.equal(errorCode(await server.gql(ENROLL_VIDEO, { input: { personId: person.id, video, maxFrames: 0 } }, tenant.secret)), 'BAD_USER_INPUT');
  });
});

describe('identifyVideo', () => {
  it('follows the face through the video as one track and names the enrolled person', async () => {
    const video = panZoomVideo(photos[1]!, 'probe.mp4', 3);
    const client = await createKey(server, tenant, 'CLIENT');
    const res = await server.gql(IDENTIFY_VIDEO, { input: { video: videoInput(video), fps: 2, source: 'door-cam' } }, client.secret);
    assert.equal(res.errors, undefined, JSON.stringify(res.errors));
    const out = res.data!.identifyVideo;
    assert.equal(out.framesRead, 6);
    const main = out.tracks.find((t: { frameCount: number }) => t.frameCount >= 5);
    assert.ok(main, JSON.stringify(out.tracks));
    assert.equal(main.decision, 'MATCH');
    assert.equal(main.person.id, person.id);
    assert.ok(main.agreement >= 0.5);
    assert.equal(out.eventIds.length, out.tracks.length);
    const events = await server.gql('{ recognitionEvents(first: 10, filter: {source: "door-cam"}) { edges { node { decision frames personId } } } }', {}, tenant.secret);
    const nodes = events.data!.recognitionEvents.edges.map((e: { node: unknown }) => e.node);
    assert.ok(nodes.some((n: { personId: string; frames: number }) => n.personId === person.id && n.frames === main.supportingFrames), JSON.stringify(nodes));
  });

  it('answers INVALID_VIDEO for garbage and writes no event', async () => {
    const res = await server.gql(IDENTIFY_VIDEO, { input: { video: { data: Buffer.from('garbage garbage').toString('base64') }, source: 'garbage-cam' } }, tenant.secret);
    assert.equal(errorCode(res), 'INVALID_VIDEO');
    const events = await server.gql('{ recognitionEvents(first: 1, filter: {source: "garbage-cam"}) { totalCount } }', {}, tenant.secret);
    assert.equal(events.data!.recognitionEvents.totalCount, 0);
  });
});
