import ort from 'onnxruntime-node';
import { decodeModel, encodeModel, floatOutput } from './onnx-tensors.js';

export interface Range {
  min: number;
  max: number;
}

/**
 * How a tensor's int8 range is chosen from the calibration faces: `minmax` covers every value
 * seen; `mean-minmax` averages each face's extremes, which lets rare outliers clip and spends the
 * 256 levels on the values that usually occur.
 */
export type RangeMethod = 'minmax' | 'mean-minmax';

/**
 * Runs the fp32 model on every calibration input with the named intermediate tensors exposed as
 * outputs and returns each tensor's range. `inputs` are single-face NCHW tensors.
 */
export async function activationRanges(modelBytes: Uint8Array, tensorNames: readonly string[], inputs: readonly Float32Array[], dims: number[], method: RangeMethod): Promise<Map<string, Range>> {
  const model = decodeModel(modelBytes);
  const graph = model.graph!;
  const already = new Set((graph.output ?? []).map((o) => o.name));
  graph.output = [...(graph.output ?? []), ...tensorNames.filter((n) => !already.has(n)).map(floatOutput)];
  const session = await ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: 'disabled', logSeverityLevel: 3 });
  const inputName = session.inputNames[0]!;
  const mins = new Map<string, number[]>(tensorNames.map((n) => [n, []]));
  const maxs = new Map<string, number[]>(tensorNames.map((n) => [n, []]));
  try {
    for (const input of inputs) {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
      for (const name of tensorNames) {
        const data = out[name]!.data as Float32Array;
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < data.length; i++) {
          const v = data[i]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        mins.get(name)!.push(lo);
        maxs.get(name)!.push(hi);
      }
    }
  } finally {
    await session.release();
  }
  const pick = (xs: number[], extreme: (...v: number[]) => number) => (method === 'minmax' ? extreme(...xs) : xs.reduce((a, b) => a + b, 0) / xs.length);
  return new Map(tensorNames.map((n) => [n, { min: pick(mins.get(n)!, Math.min), max: pick(maxs.get(n)!, Math.max) }]));
}
