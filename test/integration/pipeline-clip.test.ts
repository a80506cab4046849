import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createModelRegistry, l2Normalize, type ModelRegistry } from '../../src/embedding/index.js';
import { AppError } from '../../src/errors.js';
import { analyzeImage, createVision } from '../../src/vision/index.js';
import { fixture, MODELS_DIR } from '../helpers/models-dir.js';
import { defaultWeights, syntheticImageEncoder } from '../helpers/synthetic-onnx.js';

const dir = mkdtempSync(join(tmpdir(), 'visage-clip-'));
const clipPath = join(dir, 'clip-vit-b32-synthetic.onnx');
const fixedPath = join(dir, 'custom-fixed-batch.onnx');
let registry: ModelRegistry;
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

before(() => {
  writeFileSync(clipPath, syntheticImageEncoder({ inputSize: 224, dim: 512 }));
  writeFileSync(fixedPath, syntheticImageEncoder({ inputSize: 64, dim: 16, fixedBatch: true, inputName: 'data', outputName: 'fc1' }));
  registry = createModelRegistry({
    modelsDir: MODELS_DIR,
    clipModelPath: clipPath,
    customModels: [{ id: 'custom-fixed', file: fixedPath, inputSize: 64, dim: 16, mean: [100, 110, 120], std: [50, 60, 70], crop: { kind: 'box', margin: 0.1 } }],
  });
});

/** What the synthetic encoder must output for a crop of one flat colour: W·((colour − mean)/std), normalised. */
function expectedFor(colour: number[], mean: number[], std: number[], dim: number): Float32Array {
  const w = defaultWeights(dim);
  const pooled = colour.map((c, ch) => (c - mean[ch]!) / std[ch]!);
  return l2Normalize(Float32Array.from({ length: dim }, (_, k) => pooled.reduce((s, p, ch) => s + p * w[ch * dim + k]!, 0)));
}

const flat = (size: number, colour: number[]) => ({ size, data: Uint8Array.from({ length: size * size * 3 }, (_, i) => colour[i % 3]!) });
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('clip-vit-b32 loaded from the configured path', () => {
  it('declares CLIP ViT-B/32 input and output', async () => {
    const clip = await registry.get('clip-vit-b32');
    assert.deepEqual([clip.id, clip.inputSize, clip.dim, clip.metric, clip.crop.kind], ['clip-vit-b32', 224, 512, 'l2', 'box']);
  });

  it("normalises pixels with CLIP's mean and std", async () => {
    const clip = await registry.get('clip-vit-b32');
    const colour = [200, 30, 90];
    const [embedding] = await clip.embed([flat(224, colour)]);
    const expected = expectedFor(colour, CLIP_MEAN.map((m) => m * 255), CLIP_STD.map((s) => s * 255), 512);
    assert.ok(maxDiff(embedding!, expected) < 1e-4);
  });

  it('embeds every face of a photo, one 512-d unit vector each', async () => {
    const clip = await registry.get('clip-vit-b32');
    const result = await analyzeImage(readFileSync(fixture('scenes/compreface_013_4_4faces.jpg')), { model: clip, vision: createVision({ modelsDir: MODELS_DIR }) });
    assert.equal(result.faces.length, 4);
    for (const face of result.faces) {
      assert.equal(face.modelId, 'clip-vit-b32');
      assert.equal(face.embedding.length, 512);
      assert.ok(Math.abs(Math.hypot(...face.embedding) - 1) < 1e-4);
    }
  });

  it('is unavailable, naming the setting, when no path is configured', async () => {
    const bare = createModelRegistry({ modelsDir: MODELS_DIR });
    await assert.rejects(bare.get('clip-vit-b32'), (e: unknown) => e instanceof AppError && e.code === 'MODEL_UNAVAILABLE' && /VISAGE_CLIP_MODEL/.test(e.message));
  });

  it('is unavailable, naming the file, when the configured file is missing', async () => {
    const missing = join(dir, 'nope.onnx');
    const bad = createModelRegistry({ modelsDir: MODELS_DIR, clipModelPath: missing });
    await assert.rejects(bad.get('clip-vit-b32'), (e: unknown) => e instanceof AppError && e.code === 'MODEL_UNAVAILABLE' && e.message.includes(missing));
  });
});

describe('custom models declared in configuration', () => {
  it('uses the declared size, normalisation, tensor names and output width', async () => {
    const custom = await registry.get('custom-fixed');
    const colour = [10, 200, 150];
    const [embedding] = await custom.embed([flat(64, colour)]);
    assert.ok(maxDiff(embedding!, expectedFor(colour, [100, 110, 120], [50, 60, 70], 16)) < 1e-4);
  });

  it('batches a model exported with a fixed batch of 1', async () => {
    const custom = await registry.get('custom-fixed');
    const crops = [flat(64, [10, 20, 30]), flat(64, [200, 100, 0]), flat(64, [90, 90, 250])];
    const together = await custom.embed(crops);
    for (let i = 0; i < crops.length; i++) assert.ok(maxDiff(together[i]!, (await custom.embed([crops[i]!]))[0]!) < 1e-6);
  });

  it('refuses a declared output width the model does not have', async () => {
    const wrong = createModelRegistry({ modelsDir: MODELS_DIR, customModels: [{ id: 'wrong-dim', file: fixedPath, inputSize: 64, dim: 32 }] });
    await assert.rejects(wrong.get('wrong-dim').then((m) => m.embed([flat(64, [1, 2, 3])])), (e: unknown) => e instanceof AppError && e.code === 'MODEL_UNAVAILABLE');
  });

  it('refuses, at load, a model whose input size differs from the declared one', async () => {
    const wrong = createModelRegistry({ modelsDir: MODELS_DIR, customModels: [{ id: 'wrong-size', file: clipPath, inputSize: 112, dim: 512 }] });
    await assert.rejects(wrong.get('wrong-size'), (e: unknown) => e instanceof AppError && e.code === 'MODEL_UNAVAILABLE' && /224/.test(e.message));
  });

  it('refuses an id that is already taken', () => {
    assert.throws(() => createModelRegistry({ modelsDir: MODELS_DIR, customModels: [{ id: 'face-arcface-512', file: fixedPath, inputSize: 64, dim: 16 }] }));
  });
});
