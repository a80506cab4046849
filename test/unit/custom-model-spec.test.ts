import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCustomModelSpecs } from '../../src/embedding/custom-model-spec.js';

describe('parseCustomModelSpecs', () => {
  it('accepts a full declaration and keeps every field', () => {
    const spec = {
      id: 'my-face-v2',
      file: '/models/mine.onnx',
      inputSize: 128,
      dim: 256,
      mean: [127.5, 127.5, 127.5],
      std: [128, 128, 128],
      crop: { kind: 'box', margin: 0.3 },
      flip: true,
      inputName: 'data',
      outputName: 'fc1',
    };
    assert.deepEqual(parseCustomModelSpecs([spec]), [spec]);
  });

  it('accepts the minimal declaration and nothing at all', () => {
    assert.deepEqual(parseCustomModelSpecs([{ id: 'a', file: 'a.onnx', inputSize: 112, dim: 512 }]), [{ id: 'a', file: 'a.onnx', inputSize: 112, dim: 512 }]);
    assert.deepEqual(parseCustomModelSpecs(undefined), []);
  });

  it('reports every problem at once', () => {
    assert.throws(
      () => parseCustomModelSpecs([{ id: 'bad id!', file: '', inputSize: 2.5, dim: 0, std: [1, 0, 1], crop: { kind: 'zoom' } }]),
      (err: Error) => ['"id"', '"file"', '"inputSize"', '"dim"', '"std"', '"crop"'].every((field) => err.message.includes(field)),
    );
  });

  it('rejects a non-array', () => {
    assert.throws(() => parseCustomModelSpecs({ id: 'x' }), /array/);
  });
});
