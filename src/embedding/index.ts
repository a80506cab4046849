export type { EmbeddingModel, FaceCrop } from './model.js';
export { createModelRegistry } from './registry.js';
export type { ModelRegistry } from './registry.js';
export { FACE_ARCFACE_ID } from './face-arcface.js';
export { l2Normalize } from './normalize.js';
export { l2Distance } from './l2-distance.js';
export { parseCustomModelSpecs } from './custom-model-spec.js';
