import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createModelRegistry } from '../../src/embedding/index.js';
import { AppError } from '../../src/errors.js';
import { analyzeImage, checkModels, createVision } from '../../src/vision/index.js';
import { fixture, MODELS_DIR } from '../helpers/models-dir.js';

describe('model availability', () => {
  it('reports the fetched faceplugin models as ready and CLIP as not configured', async () => {
    const statuses = await checkModels(createModelRegistry({ modelsDir: MODELS_DIR }), MODELS_DIR);
    const byId = Object.fromEntries(statuses.map((s) => [s.id, s.state]));
    assert.deepEqual(byId, { detector: 'ready', landmarks: 'ready', pose: 'ready', 'face-arcface-512': 'ready', 'clip-vit-b32': 'not-configured' });
  });

  it('reports every file as missing in an empty models folder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'visage-nomodels-'));
    const statuses = await checkModels(createModelRegistry({ modelsDir: empty }), empty);
    assert.ok(statuses.filter((s) => s.required).every((s) => s.state === 'missing'));
  });

  it('fails a request with MODEL_UNAVAILABLE naming the missing detector file and the setup step', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'visage-nomodels-'));
    const model = await createModelRegistry({ modelsDir: MODELS_DIR }).get();
    await assert.rejects(
      analyzeImage(readFileSync(fixture('scenes/compreface_010_2_2faces.jpg')), { model, vision: createVision({ modelsDir: empty }) }),
      (e: unknown) => e instanceof AppError && e.code === 'MODEL_UNAVAILABLE' && e.message.includes(join(empty, 'fr_detect.onnx')) && /fetch-models/.test(e.message),
    );
  });

  it('reports a file that is not an ONNX model as broken', async () => {
    const notOnnx = fixture('no_face/opencv_HappyFish.jpg');
    const registry = createModelRegistry({ modelsDir: MODELS_DIR, customModels: [{ id: 'bogus', file: notOnnx, inputSize: 64, dim: 8 }] });
    const statuses = await checkModels(registry, MODELS_DIR);
    const bogus = statuses.find((s) => s.id === 'bogus');
    assert.equal(bogus?.state, 'broken');
    assert.equal(bogus?.required, false);
    await assert.rejects(registry.get('bogus'), (e: unknown) => e instanceof AppError && e.code === 'MODEL_UNAVAILABLE' && e.message.includes(notOnnx));
  });
});
