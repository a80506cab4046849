import { analyzeImage, type AnalyzedImage, type DecodeLimits, type Vision } from '../vision/index.js';
import type { ModelRegistry } from '../embedding/index.js';

export interface FaceAnalyzerOptions {
  vision: Vision;
  models: ModelRegistry;
  limits: DecodeLimits;
}

export interface AnalyzeRequest {
  modelId: string;
  maxFaces?: number;
}

/** The pipeline as the use cases see it: bytes and a tenant's model → faces with embeddings. */
export type FaceAnalyzer = (bytes: Buffer, request: AnalyzeRequest) => Promise<AnalyzedImage>;

export function createFaceAnalyzer({ vision, models, limits }: FaceAnalyzerOptions): FaceAnalyzer {
  return async (bytes, request) =>
    analyzeImage(bytes, {
      model: await models.get(request.modelId),
      vision,
      limits,
      ...(request.maxFaces !== undefined ? { maxFaces: request.maxFaces } : {}),
    });
}
