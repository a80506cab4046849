// The enrollment use case with fakes of everything it is handed (see test/support/use-case-fakes.ts);
// test/integration/identify.test.ts and video.test.ts enroll through the real pipeline and database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEnrollmentService, DEFAULT_ENROLLMENT_POLICY } from '../../src/enrollment/index.js';
import { isAppError } from '../../src/errors.js';
import { axis, face, fakeAnalyzer, fakeRepositories, image, key, person, viewer } from '../support/use-case-fakes.js';

function setup(images: Parameters<typeof fakeAnalyzer>[0]) {
  const fake = fakeRepositories([person('ada', 'Ada')]);
  const indexChanges: string[] = [];
  const analyze = fakeAnalyzer(images);
  const service = createEnrollmentService({
    repos: fake.repos,
    analyze,
    policy: { ...DEFAULT_ENROLLMENT_POLICY, maxBatchImages: 4, maxImageBytes: 1024 },
    tenantModel: async () => 'face-arcface-512',
    indexChanged: async (tenantId, model) => void indexChanges.push(`${tenantId}:${model}`),
  });
  return { service, analyze, indexChanges, ...fake };
}

const rejects = (promise: Promise<unknown>, code: string) => assert.rejects(promise, (err) => isAppError(err) && err.code === code);

describe('enrollment use case (fakes)', () => {
  it('accepts one sharp face per image and makes the faces searchable on completion', async () => {
    const { service, faces, indexChanges } = setup({ [key('a1')]: [face(axis(0))], [key('a2')]: [face(axis(1))] });
    const { session, results } = await service.enrollFaces(viewer('OPERATOR'), { personId: 'ada', images: [image('a1'), image('a2')] });
    assert.equal(session.status, 'COMPLETED');
    assert.equal(session.imagesAccepted, 2);
    assert.deepEqual(results.map((r) => [r.accepted, r.reason, r.filename]), [[true, null, 'a1.jpg'], [true, null, 'a2.jpg']]);
    assert.ok(faces.every((f) => f.searchable));
    assert.equal(indexChanges.length, 1);
  });

  it('rejects each bad image with its reason and keeps the good ones', async () => {
    const { service, sessions } = setup({
      [key('none')]: [],
      [key('two')]: [face(axis(0)), face(axis(1))],
      [key('tiny')]: [face(axis(2), {}, 10)],
      [key('blurred')]: [face(axis(3), { sharpness: 1 })],
    });
    const { results } = await service.enrollFaces(viewer('OPERATOR'), {
      personId: 'ada',
      images: [image('none'), image('two'), image('tiny'), image('blurred')],
    });
    assert.deepEqual(results.map((r) => r.reason), ['NO_FACE', 'MULTIPLE_FACES', 'LOW_QUALITY', 'LOW_QUALITY']);
    const session = [...sessions.values()][0]!;
    assert.equal(session.status, 'FAILED', 'a session without an accepted face fails instead of completing');
    assert.deepEqual(session.stats, { NO_FACE: 1, MULTIPLE_FACES: 1, LOW_QUALITY: 2 });
  });

  it('takes the largest face when asked, and refuses a duplicate in the same batch or of an enrolled face', async () => {
    const big = face(axis(0), {}, 200);
    const { service } = setup({ [key('group')]: [face(axis(1), {}, 50), big], [key('again')]: [face(axis(0))] });
    const first = await service.enrollFaces(viewer('OPERATOR'), { personId: 'ada', images: [image('group'), image('again')], largestFaceOnly: true });
    assert.deepEqual(first.results.map((r) => r.reason), [null, 'DUPLICATE']);
    const second = await service.enrollFaces(viewer('OPERATOR'), { personId: 'ada', images: [image('again')] });
    assert.deepEqual(second.results.map((r) => r.reason), ['DUPLICATE']);
  });

  it('answers an undecodable image as a rejection, not an error', async () => {
    const { service } = setup({ [key('a1')]: [face(axis(0))] });
    const { results } = await service.enrollFaces(viewer('OPERATOR'), { personId: 'ada', images: [image('a1'), { data: '%%%' }, { data: 'A'.repeat(4000) }] });
    assert.deepEqual(results.map((r) => r.reason), [null, 'INVALID_IMAGE', 'IMAGE_TOO_LARGE']);
  });

  it('refuses an oversized batch, an unknown person and a finished session without analysing anything', async () => {
    const { service, analyze, sessions } = setup({ [key('a1')]: [face(axis(0))] });
    await rejects(service.enrollFaces(viewer('OPERATOR'), { personId: 'ada', images: Array.from({ length: 5 }, () => image('a1')) }), 'BATCH_TOO_LARGE');
    await rejects(service.enrollFaces(viewer('OPERATOR'), { personId: 'nobody', images: [image('a1')] }), 'NOT_FOUND');
    const open = await service.start(viewer('OPERATOR'), { personId: 'ada' });
    await service.cancel(viewer('OPERATOR'), open.id);
    await rejects(service.addImages(viewer('OPERATOR'), { sessionId: open.id, images: [image('a1')] }), 'CONFLICT');
    assert.equal(analyze.calls, 0);
    assert.equal(sessions.get(open.id)!.status, 'CANCELLED');
  });

  it('lets only roles with the enroll capability in', async () => {
    const { service } = setup({ [key('a1')]: [face(axis(0))] });
    await rejects(service.enrollFaces(viewer('CLIENT'), { personId: 'ada', images: [image('a1')] }), 'FORBIDDEN');
    await rejects(service.start(viewer('VIEWER'), { personId: 'ada' }), 'FORBIDDEN');
  });
});
