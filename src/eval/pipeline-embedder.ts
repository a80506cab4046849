import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createModelRegistry } from '../embedding/index.js';
import { analyzeImage, createVision, VISION_MODEL_FILES, type AnalyzedFace } from '../vision/index.js';
import type { Embedder } from './embedder.js';

export interface PipelineEmbedderOptions {
  modelsDir: string;
  modelId: string;
  clipModelPath?: string;
  /** The pipeline's pre-cropped path: the whole image is the face, no detection. */
  cropped: boolean;
  /** Analyse small images as pre-cropped when nothing is detected (0 = off, the pipeline's default). */
  croppedFallbackMaxSide: number;
}

/** The face to evaluate in a photo with several: the largest box, then the higher detection score. */
export function mainFace(faces: readonly AnalyzedFace[]): AnalyzedFace | undefined {
  const area = (f: AnalyzedFace) => f.box.width * f.box.height;
  return faces.reduce<AnalyzedFace | undefined>(
    (best, f) => (best === undefined || area(f) > area(best) || (area(f) === area(best) && f.detectionScore > best.detectionScore) ? f : best),
    undefined,
  );
}

/** The server's own pipeline (decode → detect → landmarks → align → embed), in-process. */
export async function createPipelineEmbedder(options: PipelineEmbedderOptions): Promise<Embedder> {
  const registry = createModelRegistry({
    modelsDir: options.modelsDir,
    ...(options.clipModelPath ? { clipModelPath: options.clipModelPath } : {}),
  });
  const model = await registry.get(options.modelId);
  const vision = createVision({ modelsDir: options.modelsDir });
  const modelFile = registry.describe(options.modelId).file!;
  const files = [modelFile, ...(options.cropped ? [] : [`${options.modelsDir}/${VISION_MODEL_FILES.detector}`]), `${options.modelsDir}/${VISION_MODEL_FILES.landmarks}`];
  const weights = createHash('sha256');
  for (const f of files) weights.update(await readFile(f));
  // The pipeline's own code is part of the key too: a changed alignment must not reuse old vectors.
  for (const folder of ['../vision/', '../embedding/']) {
    const dir = fileURLToPath(new URL(folder, import.meta.url));
    const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    for (const f of entries.sort()) weights.update(await readFile(dir + f));
  }
  const path = options.cropped ? 'cropped' : options.croppedFallbackMaxSide > 0 ? `detect-fb${options.croppedFallbackMaxSide}` : 'detect';
  return {
    modelId: options.modelId,
    dim: model.dim,
    cacheNamespace: `${options.modelId}-${path}-${weights.digest('hex').slice(0, 12)}`,
    async embed(bytes) {
      const analyzed = await analyzeImage(bytes, {
        model,
        vision,
        cropped: options.cropped,
        croppedFallbackMaxSide: options.croppedFallbackMaxSide,
      });
      return mainFace(analyzed.faces)?.embedding ?? null;
    },
  };
}
