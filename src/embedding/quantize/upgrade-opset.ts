import type { ModelProto } from './onnx-tensors.js';

/**
 * Operators whose definition did not change between opset 9 and 13 in any way these exports use,
 * so moving such a graph to opset 13 is only a version bump. Per-channel DequantizeLinear (the
 * `axis` attribute) exists from opset 13, and fr_feature.onnx was exported at opset 9.
 * Anything else (Upsample, Squeeze, Pad, Clip, Softmax, ... changed signature) is refused rather
 * than silently mistranslated.
 */
const UNCHANGED_9_TO_13 = new Set(['Conv', 'PRelu', 'Add', 'Mul', 'Relu', 'Reshape', 'Flatten', 'Gemm', 'MatMul', 'Sigmoid', 'Concat', 'GlobalAveragePool', 'MaxPool', 'AveragePool', 'BatchNormalization']);

export const QDQ_OPSET = 13;

export function upgradeToOpset13(model: ModelProto): void {
  const domain = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!domain) throw new Error('model imports no default ONNX opset');
  const version = Number(domain.version);
  if (version > QDQ_OPSET) throw new Error(`model is opset ${version}; this converter handles 9..${QDQ_OPSET}`);
  const unsupported = [...new Set((model.graph?.node ?? []).map((n) => n.opType ?? '').filter((op) => !UNCHANGED_9_TO_13.has(op)))];
  if (version < QDQ_OPSET && unsupported.length > 0) throw new Error(`cannot move opset ${version} to ${QDQ_OPSET}: unsupported operators ${unsupported.join(', ')}`);
  domain.version = QDQ_OPSET;
  // Opset 13 needs IR version 7 or later.
  if (Number(model.irVersion) < 7) model.irVersion = 7;
}
