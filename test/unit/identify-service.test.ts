// The identify use case with fakes of everything it is handed (see test/support/use-case-fakes.ts);
// test/integration/identify.test.ts covers the same path with the real models, FAISS and PostgreSQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIdentifyService } from '../../src/identify/index.js';
import { defaultSettings, type TenantSettings } from '../../src/tenants/index.js';
import type { SearchFaces } from '../../src/search/index.js';
import { isAppError } from '../../src/errors.js';
import { axis, face, fakeAnalyzer, fakeRepositories, image, key, person, TENANT, viewer } from '../support/use-case-fakes.js';

const ada = person('ada', 'Ada');
const bob = person('bob', 'Bob');

/** The gallery, faked: person i owns axis i; distance is L2 between unit vectors. */
const gallery: SearchFaces = async (_scope, vector, k) =>
  [
    { faceId: '1', label: 'ada', distance: Math.hypot(...vector.map((x, i) => x - (i === 0 ? 1 : 0))) },
    { faceId: '2', label: 'bob', distance: Math.hypot(...vector.map((x, i) => x - (i === 1 ? 1 : 0))) },
  ]
    .sort((a, b) => a.distance - b.distance)
    .slice(0, k);

function setup(images: Parameters<typeof fakeAnalyzer>[0], settings: TenantSettings = defaultSettings()) {
  const fake = fakeRepositories([ada, bob]);
  const identified: string[][] = [];
  const service = createIdentifyService({
    repos: fake.repos,
    analyze: fakeAnalyzer(images),
    search: gallery,
    settings: async () => settings,
    maxImageBytes: 1024,
    onIdentified: (_tenant, decisions) => identified.push([...decisions]),
  });
  return { service, ...fake, identified };
}

async function rejects(promise: Promise<unknown>, code: string, field?: string) {
  await assert.rejects(promise, (err) => isAppError(err) && err.code === code && (field === undefined || err.details['field'] === field));
}

describe('identify use case (fakes)', () => {
  it('answers a known face with its person and records one MATCH event', async () => {
    const { service, events, identified } = setup({ [key('ada-photo')]: [face(axis(0))] });
    const result = await service.identify(viewer('CLIENT'), { image: image('ada-photo'), source: 'door-1' });
    assert.equal(result.faces.length, 1);
    assert.equal(result.faces[0]!.decision, 'MATCH');
    assert.equal(result.faces[0]!.person?.displayName, 'Ada');
    assert.deepEqual(result.faces[0]!.candidates.map((c) => c.person?.id), ['ada', 'bob']);
    assert.deepEqual(events.map((e) => [e.tenantId, e.decision, e.personId, e.source]), [[TENANT, 'MATCH', 'ada', 'door-1']]);
    assert.deepEqual(identified, [['MATCH']]);
    assert.equal(typeof result.timingsMs['search'], 'number');
  });

  it('answers a stranger UNKNOWN and an empty image with one NO_FACE event', async () => {
    const { service, events } = setup({ [key('stranger')]: [face(axis(5))], [key('wall')]: [] });
    const stranger = await service.identify(viewer('CLIENT'), { image: image('stranger') });
    assert.equal(stranger.faces[0]!.decision, 'UNKNOWN');
    assert.equal(stranger.faces[0]!.person, null);
    const wall = await service.identify(viewer('CLIENT'), { image: image('wall') });
    assert.deepEqual(wall.faces, []);
    assert.deepEqual(events.map((e) => e.decision), ['UNKNOWN', 'NO_FACE']);
  });

  it("uses the tenant's vote parameters unless the request overrides them (null = not given)", async () => {
    const strict = { ...defaultSettings(), threshold: 0.1 };
    const { service, events } = setup({ [key('near-ada')]: [face(new Float32Array([0.9, 0.43, 0, 0, 0, 0, 0, 0]))] }, strict);
    const byTenant = await service.identify(viewer('CLIENT'), { image: image('near-ada'), threshold: null });
    assert.equal(byTenant.faces[0]!.decision, 'UNKNOWN');
    // Raising the threshold is an ADMIN's call by default (the tenant's vote policy).
    await rejects(service.identify(viewer('CLIENT'), { image: image('near-ada'), threshold: 1.0 }), 'FORBIDDEN', 'threshold');
    const byRequest = await service.identify(viewer('ADMIN'), { image: image('near-ada'), threshold: 1.0 });
    assert.equal(byRequest.faces[0]!.decision, 'MATCH');
    assert.deepEqual(events.map((e) => e.threshold), [0.1, 1.0]);
  });

  it('refuses bad input with a field, before any work and without writing an event', async () => {
    const { service, events } = setup({ [key('ada-photo')]: [face(axis(0))] });
    await rejects(service.identify(viewer('CLIENT'), { image: image('ada-photo'), k1: 0 }), 'BAD_USER_INPUT', 'k1');
    await rejects(service.identify(viewer('CLIENT'), { image: image('ada-photo'), k1: 3, k2: 2 }), 'BAD_USER_INPUT', 'k2');
    await rejects(service.identify(viewer('CLIENT'), { image: image('ada-photo'), threshold: 3 }), 'BAD_USER_INPUT', 'threshold');
    await rejects(service.identify(viewer('CLIENT'), { image: image('ada-photo'), maxFaces: 0 }), 'BAD_USER_INPUT', 'maxFaces');
    await rejects(service.identify(viewer('CLIENT'), { image: image('ada-photo'), source: 'x'.repeat(201) }), 'BAD_USER_INPUT', 'source');
    await rejects(service.identify(viewer('CLIENT'), { image: { data: '!!not base64!!' } }), 'INVALID_IMAGE', 'image');
    await rejects(service.identify(viewer('CLIENT'), { image: { data: 'A'.repeat(4000) } }), 'IMAGE_TOO_LARGE', 'image');
    assert.equal(events.length, 0);
  });

  it('lets only roles with the identify capability in', async () => {
    const { service } = setup({ [key('ada-photo')]: [face(axis(0))] });
    await rejects(service.identify(viewer('VIEWER'), { image: image('ada-photo') }), 'FORBIDDEN');
    await rejects(service.identify({ kind: 'anonymous' }, { image: image('ada-photo') }), 'UNAUTHENTICATED');
  });
});
