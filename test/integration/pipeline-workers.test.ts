import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import { createModelRegistry } from '../../src/embedding/index.js';
import { inferencePool, loadSession } from '../../src/inference/index.js';
import { AppError } from '../../src/errors.js';
import { analyzeDecoded, analyzeImage, createVision, createWorkerAnalyzers, decodeImage } from '../../src/vision/index.js';
import { pngClaiming } from '../helpers/crafted-png.js';
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

describe('the whole pipeline in worker threads', () => {
  const limits = { maxBytes: 15_000_000, maxPixels: 40_000_000 };
  const detection = { minScore: 0.7, minFaceSize: 20 };
  const models = createModelRegistry({ modelsDir: MODELS_DIR });
  const workers = createWorkerAnalyzers({ workers: 2, modelsDir: MODELS_DIR, session: {}, models, limits, detection });
  after(() => workers.close());
  const inThread = async () => ({ model: await models.get(), vision: createVision({ modelsDir: MODELS_DIR }), limits, ...detection });

  it('finds the same faces, landmarks, quality and embeddings as the in-thread pipeline', async () => {
    const bytes = readFileSync(fixture('scenes/compreface_014_5_5faces.jpg'));
    const expected = await analyzeImage(bytes, await inThread());
    const got = await workers.analyze(Buffer.from(bytes), { modelId: models.defaultModelId });
    assert.equal(got.faces.length, expected.faces.length);
    assert.equal(got.mode, expected.mode);
    got.faces.forEach((face, i) => {
      assert.deepEqual(face.box, expected.faces[i]!.box);
      assert.deepEqual(face.landmarks, expected.faces[i]!.landmarks);
      assert.deepEqual(face.quality, expected.faces[i]!.quality);
      assert.ok(face.embedding instanceof Float32Array);
      assert.ok(distance(face.embedding, expected.faces[i]!.embedding) < 1e-5);
    });
    const limited = await workers.analyze(Buffer.from(bytes), { modelId: models.defaultModelId, maxFaces: 2 });
    assert.equal(limited.faces.length, 2);
  });

  it('analyses decoded video frames the same way', async () => {
    const bytes = readFileSync(fixture('scenes/compreface_013_4_4faces.jpg'));
    const frame = await decodeImage(bytes);
    const expected = await analyzeDecoded(await decodeImage(bytes), await inThread());
    const got = await workers.analyzeFrame(frame, { modelId: models.defaultModelId });
    assert.deepEqual(got.faces.map((f) => f.box), expected.faces.map((f) => f.box));
    assert.equal(got.timingsMs.decode, 0);
  });

  it('moves the image bytes to the worker instead of copying them', async () => {
    const bytes = Buffer.from(readFileSync(fixture('scenes/compreface_013_4_4faces.jpg')));
    assert.equal(bytes.byteLength, bytes.buffer.byteLength, 'the test buffer owns its memory');
    await workers.analyze(bytes, { modelId: models.defaultModelId });
    assert.equal(bytes.byteLength, 0, 'the buffer was transferred (detached here)');
  });

  it('refuses bad input with the same codes as the in-thread pipeline', async () => {
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
    const modelId = models.defaultModelId;
    assert.equal(await code(workers.analyze(Buffer.from('not an image'), { modelId })), 'INVALID_IMAGE');
    assert.equal(await code(workers.analyze(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), { modelId })), 'INVALID_IMAGE');
    assert.equal(await code(workers.analyze(Buffer.alloc(0), { modelId })), 'INVALID_IMAGE');
    assert.equal(await code(workers.analyze(pngClaiming(30000, 30000), { modelId })), 'IMAGE_TOO_LARGE');
    assert.equal(await code(workers.analyze(Buffer.alloc(limits.maxBytes + 1, 1), { modelId })), 'IMAGE_TOO_LARGE');
    assert.equal(await code(workers.analyze(readFileSync(fixture('scenes/compreface_013_4_4faces.jpg')), { modelId: 'no-such-model' })), 'MODEL_UNAVAILABLE');
    // The workers survive refusals: a good image still gets its faces.
    const after = await workers.analyze(readFileSync(fixture('scenes/compreface_013_4_4faces.jpg')), { modelId });
    assert.ok(after.faces.length > 0);
  });
});
