// Smoke tests for the three native parts that npm alone does not set up here: the faiss-node
// addon (built by scripts/setup.sh), onnxruntime-node with the real models (fetched by
// scripts/fetch-models.sh) and sharp's prebuilt libvips. A failure names the setup step to run,
// because the usual cause is a machine where that step never ran, not a bug in the code.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MODELS_DIR } from '../helpers/models-dir.js';

async function loadNative<T>(specifier: string, setupStep: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new Error(`cannot load ${specifier}: ${(error as Error).message}\n  fix: ${setupStep}`);
  }
}

describe('faiss-node addon', () => {
  it('adds vectors to an IndexFlatL2 and finds the nearest one', async () => {
    // faiss-node is CommonJS assigning module.exports, so under ESM everything is on `default`.
    const { default: faiss } = await loadNative<{ default: typeof import('faiss-node') }>(
      'faiss-node',
      'run `bash scripts/setup.sh`: it builds faiss and the faiss-node addon (npm install scripts are off)',
    );
    const index = new faiss.IndexFlatL2(4);
    index.add([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
    assert.equal(index.ntotal(), 3);

    const { labels, distances } = index.search([0, 0.9, 0.1, 0], 2);
    assert.deepEqual(labels, [1, 2]);
    assert.ok(Math.abs(distances[0]! - 0.02) < 1e-6, `squared L2 to the nearest is ${distances[0]}`);
  });
});

describe('onnxruntime-node with the real models', () => {
  it('runs fr_landmark.onnx on a blank 64x64 grey face and returns 68 points', async () => {
    const modelPath = join(MODELS_DIR, 'fr_landmark.onnx');
    assert.ok(existsSync(modelPath), `${modelPath} is missing: run \`bash scripts/fetch-models.sh\``);
    const ort = await loadNative<typeof import('onnxruntime-node')>(
      'onnxruntime-node',
      'run `npm ci` (with the project .npmrc, which skips its CUDA download)',
    );

    const session = await ort.InferenceSession.create(modelPath);
    try {
      assert.equal(session.inputNames.length, 1, `inputs: ${session.inputNames.join(', ')}`);
      const inputName = session.inputNames[0]!;
      const input = new ort.Tensor('float32', new Float32Array(64 * 64), [1, 1, 64, 64]);
      const outputs = await session.run({ [inputName]: input });
      const output = outputs[session.outputNames[0]!]!;
      assert.equal(output.data.length, 136, `output dims ${output.dims.join('x')}`);
      assert.ok([...(output.data as Float32Array)].every(Number.isFinite), 'landmarks are finite');
    } finally {
      await session.release();
    }
  });
});

describe('sharp', () => {
  it('decodes a PNG it encoded, with the right size and raw length', async () => {
    const { default: sharp } = await loadNative<typeof import('sharp')>(
      'sharp',
      'run `npm ci`: sharp takes libvips from its @img/sharp-* optional packages',
    );
    const width = 7;
    const height = 5;
    const rgb = Buffer.alloc(width * height * 3, 200);
    const png = await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();

    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.format, 'raw');
    assert.equal(info.width, width);
    assert.equal(info.height, height);
    assert.equal(data.length, width * height * info.channels);
    assert.equal(info.channels, 3);
    assert.equal(data[0], 200);
  });
});
