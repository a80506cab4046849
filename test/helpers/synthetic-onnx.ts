import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface SyntheticEncoderOptions {
  inputSize: number;
  dim: number;
  /** Export with a literal batch of 1 (and a Reshape to [1, −1]), as many real exports do. */
  fixedBatch?: boolean;
  inputName?: string;
  outputName?: string;
  /** Row-major [3, dim] projection; default a deterministic pattern. */
  weights?: Float32Array;
}

export function defaultWeights(dim: number): Float32Array {
  return Float32Array.from({ length: 3 * dim }, (_, i) => Math.sin(i * 0.7 + 0.3));
}

/**
 * A tiny image encoder with the same signature as a CLIP ViT-B/32 vision export
 * (`pixel_values` [N, 3, S, S] → `image_embeds` [N, dim]): the per-channel mean of the input,
 * times a fixed [3, dim] matrix. Its output is a known function of the preprocessed input, so a
 * test can check the real loading and normalisation code against it exactly.
 */
export function syntheticImageEncoder(options: SyntheticEncoderOptions): Uint8Array {
  const { inputSize, dim } = options;
  const inputName = options.inputName ?? 'pixel_values';
  const outputName = options.outputName ?? 'image_embeds';
  const batch = options.fixedBatch ? { dimValue: 1 } : { dimParam: 'batch' };
  const tensorType = (dims: Array<{ dimValue?: number; dimParam?: string }>) => ({
    tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims } },
  });
  const weights = options.weights ?? defaultWeights(dim);
  const initializer = [
    { name: 'projection', dataType: onnx.TensorProto.DataType.FLOAT, dims: [3, dim], rawData: new Uint8Array(weights.buffer.slice(0)) },
  ];
  const ints = (name: string, values: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
  const int = (name: string, value: number) => ({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
  const node = options.fixedBatch
    ? [
        { opType: 'ReduceMean', input: [inputName], output: ['pooled4d'], attribute: [ints('axes', [2, 3]), int('keepdims', 1)] },
        { opType: 'Reshape', input: ['pooled4d', 'flat_shape'], output: ['pooled'] },
        { opType: 'MatMul', input: ['pooled', 'projection'], output: [outputName] },
      ]
    : [
        { opType: 'ReduceMean', input: [inputName], output: ['pooled'], attribute: [ints('axes', [2, 3]), int('keepdims', 0)] },
        { opType: 'MatMul', input: ['pooled', 'projection'], output: [outputName] },
      ];
  if (options.fixedBatch) {
    const shape = new BigInt64Array([1n, -1n]);
    initializer.push({ name: 'flat_shape', dataType: onnx.TensorProto.DataType.INT64, dims: [2], rawData: new Uint8Array(shape.buffer) });
  }
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'visage-test-synthetic',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'synthetic_image_encoder',
      node,
      initializer,
      input: [{ name: inputName, type: tensorType([batch, { dimValue: 3 }, { dimValue: inputSize }, { dimValue: inputSize }]) }],
      output: [{ name: outputName, type: tensorType([batch, { dimValue: dim }]) }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
