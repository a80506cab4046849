import { readFileSync } from 'node:fs';
import { listImages } from './list-images.js';
import { analyzeImage } from './pipeline.js';
import type { Vision } from './vision.js';
import type { EmbeddingModel, EmbeddingSpec, FaceCrop } from '../embedding/model.js';
import { writeNchw } from '../embedding/onnx-embedding-model.js';

/**
 * Aligned face crops from every photo under `dir`, made by the same decode → detect → align path
 * the server uses (the crops are caught at the embedding step), as the model's NCHW input.
 * Calibration must see what the model sees in production: real aligned faces, not noise.
 */
export async function calibrationFaces(dir: string, spec: EmbeddingSpec, vision: Vision, maxFaces: number): Promise<Float32Array[]> {
  const crops: FaceCrop[] = [];
  const catcher: EmbeddingModel = {
    ...spec,
    embed: async (faces) => {
      crops.push(...faces);
      return faces.map(() => new Float32Array(spec.dim));
    },
  };
  for (const file of listImages(dir)) {
    if (crops.length >= maxFaces) break;
    try {
      await analyzeImage(readFileSync(file), { model: catcher, vision });
    } catch {
      // An undecodable file in the folder is not a reason to stop; it just contributes no face.
    }
  }
  const plane = spec.inputSize * spec.inputSize;
  return crops.slice(0, maxFaces).map((crop) => {
    const input = new Float32Array(3 * plane);
    writeNchw(crop, spec, input, 0, false);
    return input;
  });
}
