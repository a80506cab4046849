import { activationRanges, type RangeMethod } from './activation-ranges.js';
import { decodeModel, encodeModel } from './onnx-tensors.js';
import { toQdq, tensorsToQuantize, type QdqPlan } from './qdq-graph.js';
import { upgradeToOpset13 } from './upgrade-opset.js';

export interface QuantizeOptions extends QdqPlan {
  method: RangeMethod;
}

/**
 * fp32 ONNX embedding model → per-channel int8 QDQ model: move the graph to opset 13, measure
 * every activation to be quantized on the calibration faces with the fp32 graph, then rewrite.
 * Hand-written because no maintained npm package quantizes ONNX graphs (onnxruntime's quantiser
 * is Python-only); onnx-proto gives the real graph to work on.
 */
export async function quantizeModel(fp32: Uint8Array, calibration: readonly Float32Array[], inputDims: number[], options: QuantizeOptions): Promise<Uint8Array> {
  if (calibration.length === 0) throw new Error('no calibration faces: point --faces at a folder of photos with faces');
  const model = decodeModel(fp32);
  upgradeToOpset13(model);
  const names = tensorsToQuantize(model, options);
  const ranges = await activationRanges(encodeModel(model), names, calibration, inputDims, options.method);
  toQdq(model, ranges, options);
  model.producerName = 'visage models:quantize';
  return encodeModel(model);
}
