import { analyzeDecoded, type AnalyzedImage } from './pipeline.js';
import type { RgbImage } from './image.js';
import type { Vision } from './vision.js';
import type { ModelRegistry } from '../embedding/index.js';
import type { AnalyzeRequest, DetectionOptions } from './face-analyzer.js';

/** The pipeline for frames that are already raw RGB (from ffmpeg): no encode/decode round trip. */
export type FrameAnalyzer = (frame: RgbImage, request: AnalyzeRequest) => Promise<AnalyzedImage>;

export function createFrameAnalyzer({ vision, models, detection }: { vision: Vision; models: ModelRegistry; detection: DetectionOptions }): FrameAnalyzer {
  return async (frame, request) =>
    analyzeDecoded(frame, {
      model: await models.get(request.modelId),
      vision,
      ...detection,
      ...(request.maxFaces !== undefined ? { maxFaces: request.maxFaces } : {}),
    });
}
