import type { EmbeddingSpec } from './model.js';

export const FACE_ARCFACE_ID = 'face-arcface-512';
export const FACE_ARCFACE_FILE = 'fr_feature.onnx';

/** faceplugin's fr_feature.onnx: ArcFace-style 112×112 aligned RGB, (x − 127) / 128, 512-d. */
export const FACE_ARCFACE_SPEC: EmbeddingSpec = {
  id: FACE_ARCFACE_ID,
  dim: 512,
  inputSize: 112,
  mean: [127, 127, 127],
  std: [128, 128, 128],
  crop: { kind: 'aligned' },
  flip: false,
  metric: 'l2',
};

/**
 * The same network quantized to int8 by `npm run models:quantize` (src/embedding/quantize/). Its
 * own id, because its vectors differ slightly from the fp32 ones and must never share an index.
 */
export const FACE_ARCFACE_INT8_ID = 'face-arcface-512-int8';
export const FACE_ARCFACE_INT8_FILE = 'fr_feature_int8.onnx';
export const FACE_ARCFACE_INT8_SPEC: EmbeddingSpec = { ...FACE_ARCFACE_SPEC, id: FACE_ARCFACE_INT8_ID };
