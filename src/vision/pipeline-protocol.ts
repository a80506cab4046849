import type { EmbeddingSpec } from '../embedding/index.js';
import type { PinnedSession } from '../inference/index.js';
import type { DecodeLimits } from './decode.js';
import type { RgbImage } from './image.js';
import type { AnalyzedImage } from './pipeline.js';

/**
 * The sessions one analysis needs, with their tuning already decided on the main thread, so a
 * worker loads each in-thread once and never times candidates itself.
 */
export interface PipelineModels {
  detector: PinnedSession;
  landmarks: PinnedSession;
  embedding: { spec: EmbeddingSpec; session: PinnedSession };
}

export interface PipelineOptions {
  minScore: number;
  minFaceSize: number;
  maxFaces?: number;
}

/** One message per image: the encoded bytes (or a video frame's pixels) in, the faces out. */
export type PipelineRequest =
  | { id: number; kind: 'analyze'; bytes: Uint8Array; limits: DecodeLimits; models: PipelineModels; options: PipelineOptions }
  | { id: number; kind: 'analyze-decoded'; image: RgbImage; models: PipelineModels; options: PipelineOptions };

export type PipelineResponse = { id: number; kind: 'analyzed'; result: AnalyzedImage };
