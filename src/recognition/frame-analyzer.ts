import { analyzeDecoded, type AnalyzedImage, type RgbImage, type Vision } from '../vision/index.js';
import type { ModelRegistry } from '../embedding/index.js';
import type { AnalyzeRequest } from './face-analyzer.js';

/** The pipeline for frames that are already raw RGB (from ffmpeg): no encode/decode round trip. */
export type FrameAnalyzer = (frame: RgbImage, request: AnalyzeRequest) => Promise<AnalyzedImage>;

export function createFrameAnalyzer({ vision, models }: { vision: Vision; models: ModelRegistry }): FrameAnalyzer {
  return async (frame, request) =>
    analyzeDecoded(frame, {
      model: await models.get(request.modelId),
      vision,
      ...(request.maxFaces !== undefined ? { maxFaces: request.maxFaces } : {}),
    });
}
