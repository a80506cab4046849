import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import { createModelRegistry } from '../../src/embedding/index.js';
import { inferencePool, loadSession } from '../../src/inference/index.js';
import { AppError } from '../../src/errors.js';
import { analyzeImage, createVision } from '../../src/vision/index.js';
import { fixture, MODELS_DIR } from '../helpers/models-dir.js';

const WORKERS = 1;
after(() => inferencePool(WORKERS).close());

const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

describe('inference in worker threads', () => {
  it('finds the same faces and embeddings as inference on the main thread', async () => {
    const bytes = readFileSync(fixture('scenes/compreface_014_5_5faces.jpg'));
    const inThread = await analyzeImage(bytes, {
      model: await createModelRegistry({ modelsDir: MODELS_DIR }).get(),
      vision: createVision({ modelsDir: MODELS_DIR }),
    });
    const inWorkers = await analyzeImage(bytes, {
      model: await createModelRegistry({ modelsDir: MODELS_DIR, inferenceWorkers: WORKERS }).get(),
      vision: createVision({ modelsDir: MODELS_DIR, inferenceWorkers: WORKERS }),
    });
    assert.equal(inWorkers.faces.length, inThread.faces.length);
    inWorkers.faces.forEach((face, i) => {
      assert.deepEqual(face.box, inThread.faces[i]!.box);
      assert.ok(distance(face.embedding, inThread.faces[i]!.embedding) < 1e-5);
    });
  });

  it('keeps the event loop turning while a model runs', async () => {
    const session = await loadSession(`${MODELS_DIR}/fr_feature.onnx`, { inferenceWorkers: WORKERS, transform: 'dynamic-batch' });
    const input = new ort.Tensor('float32', new Float32Array(8 * 3 * 112 * 112).fill(0.5), [8, 3, 112, 112]);
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    const out = await session.run({ input });
    assert.deepEqual(out.output!.dims, [8, 512]);
    assert.equal(turned, true, 'an immediate queued before the run fired before it finished');
  });

  it('reports a file the worker cannot load as MODEL_UNAVAILABLE naming it', async () => {
    const notOnnx = fixture('no_face/opencv_HappyFish.jpg');
    await assert.rejects(
      loadSession(notOnnx, { inferenceWorkers: WORKERS, transform: 'dynamic-batch' }),
      (e: unknown) => e instanceof AppError && e.code === 'MODEL_UNAVAILABLE' && e.message.includes(notOnnx),
    );
  });
});
