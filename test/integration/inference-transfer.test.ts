import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import ort from 'onnxruntime-node';
import { inferencePool, loadSession } from '../../src/inference/index.js';
import { MODELS_DIR } from '../helpers/models-dir.js';

// A pool size no other test file uses, so this file owns (and closes) its pool.
const WORKERS = 3;
after(() => inferencePool(WORKERS).close());

it('moves an input buffer it owns to the worker instead of copying it, and copies a view', async () => {
  const session = await loadSession(`${MODELS_DIR}/fr_landmark.onnx`, { inferenceWorkers: WORKERS, transform: 'dynamic-batch' });
  const owned = new Float32Array(64 * 64).fill(0.5);
  const moved = await session.run({ input: new ort.Tensor('float32', owned, [1, 1, 64, 64]) });
  assert.equal(owned.byteLength, 0, 'the buffer was transferred (detached here)');

  const backing = new Float32Array(2 * 64 * 64).fill(0.5);
  const view = backing.subarray(0, 64 * 64);
  const copied = await session.run({ input: new ort.Tensor('float32', view, [1, 1, 64, 64]) });
  assert.equal(backing.byteLength, 2 * 64 * 64 * 4, 'a view into a larger buffer stays usable');
  assert.deepEqual(Array.from(copied.output!.data as Float32Array), Array.from(moved.output!.data as Float32Array));
});
