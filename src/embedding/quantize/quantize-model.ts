import { activationRanges, type RangeMethod } from './activation-ranges.js';
import { decodeModel, encodeModel } from './onnx-tensors.js';
import { rewritePReluAsRelu } from './prelu-rewrite.js';
import { foldRelusIntoConvs, toQdq, tensorsToQuantize, type QdqPlan } from './qdq-graph.js';
import { upgradeToOpset13 } from './upgrade-opset.js';

export interface QuantizeOptions extends QdqPlan {
  method: RangeMethod;
  /** Leave the PRelus as they are (each one then runs in fp32 between a dequantize and a quantize). */
  keepPRelu?: boolean;
}

/**
 * fp32 ONNX embedding model → per-channel int8 QDQ model: move the graph to opset 13, turn the
 * PRelus into Relus (exact, see prelu-rewrite.ts), measure every activation to be quantized on
 * the calibration faces with that fp32 graph, then rewrite.
 * Hand-written because no maintained npm package quantizes ONNX graphs (onnxruntime's quantiser
 * is Python-only); onnx-proto gives the real graph to work on.
 */
export async function quantizeModel(fp32: Uint8Array, calibration: readonly Float32Array[], inputDims: number[], options: QuantizeOptions): Promise<Uint8Array> {
  if (calibration.length === 0) throw new Error('no calibration faces: point --faces at a folder of photos with faces');
  const model = decodeModel(fp32);
  upgradeToOpset13(model);
  if (!options.keepPRelu) rewritePReluAsRelu(model);
  const calibrationGraph = encodeModel(model);
  foldRelusIntoConvs(model, options);
  const names = tensorsToQuantize(model, options);
  const ranges = await activationRanges(calibrationGraph, names, calibration, inputDims, options.method);
  toQdq(model, ranges, options);
  model.producerName = 'visage models:quantize';
  return encodeModel(model);
}
