import { analyzeImage, type AnalyzedImage } from './pipeline.js';
import type { DecodeLimits } from './decode.js';
import type { Vision } from './vision.js';
import type { ModelRegistry } from '../embedding/index.js';

/** Which detections count as faces, shared by photos and video frames. */
export interface DetectionOptions {
  minScore: number;
  minFaceSize: number;
}

export interface FaceAnalyzerOptions {
  vision: Vision;
  models: ModelRegistry;
  limits: DecodeLimits;
  detection: DetectionOptions;
}

export interface AnalyzeRequest {
  modelId: string;
  maxFaces?: number;
}

/**
 * The pipeline as the use cases see it: bytes and a tenant's model → faces with embeddings. The
 * server's analyzer takes the bytes over (they move to a pipeline worker), so a caller passes
 * bytes it will not read again.
 */
export type FaceAnalyzer = (bytes: Buffer, request: AnalyzeRequest) => Promise<AnalyzedImage>;

export function createFaceAnalyzer({ vision, models, limits, detection }: FaceAnalyzerOptions): FaceAnalyzer {
  return async (bytes, request) =>
    analyzeImage(bytes, {
      model: await models.get(request.modelId),
      vision,
      limits,
      ...detection,
      ...(request.maxFaces !== undefined ? { maxFaces: request.maxFaces } : {}),
    });
}
