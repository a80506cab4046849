export type { EmbeddingModel, EmbeddingSpec, FaceCrop } from './model.js';
export { createOnnxEmbeddingModel } from './onnx-embedding-model.js';
export { createModelRegistry } from './registry.js';
export type { CustomModelSpec, LocatedModel, ModelDescriptor, ModelRegistry, ModelsOptions } from './registry.js';
export { FACE_ARCFACE_ID, FACE_ARCFACE_INT8_ID, FACE_ARCFACE_INT8_FILE, FACE_ARCFACE_FILE } from './face-arcface.js';
export { CLIP_ID, DEFAULT_CLIP_MARGIN } from './clip.js';
export { l2Normalize } from './normalize.js';
export { l2Distance } from './l2-distance.js';
export { parseCustomModelSpecs } from './custom-model-spec.js';
