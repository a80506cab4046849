export { analyzeImage, DEFAULT_MIN_FACE_SIZE, DEFAULT_MIN_SCORE } from './pipeline.js';
export type { AnalyzedFace, AnalyzedImage, AnalyzeMode, AnalyzeOptions, FaceQuality } from './pipeline.js';
export { createVision, VISION_MODEL_FILES } from './vision.js';
export type { Vision, VisionOptions } from './vision.js';
export { decodeImage, DEFAULT_DECODE_LIMITS } from './decode.js';
export type { DecodeLimits } from './decode.js';
export type { Box, Point, RgbImage } from './image.js';
export { drawFaces } from './draw.js';
