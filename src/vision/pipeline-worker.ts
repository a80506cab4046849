/**
 * A whole-pipeline worker: decode → detect → landmarks/align → embed for one image per message,
 * with its own in-thread sessions. The main thread sends the encoded bytes (moved, not copied)
 * and gets back the faces, so none of the per-image work (sharp calls, tensor building, warps,
 * NMS, normalisation) runs on the event loop, and there is one message per image instead of one
 * per model run.
 */
import { createOnnxEmbeddingModel, type EmbeddingModel } from '../embedding/index.js';
import { loadSession, ownedBuffers, serveWorker, type PinnedSession } from '../inference/index.js';
import { createFaceDetector } from './detect.js';
import { createLandmarker } from './landmarks.js';
import { analyzeDecoded, analyzeImage, type AnalyzedImage } from './pipeline.js';
import type { PipelineModels, PipelineRequest, PipelineResponse } from './pipeline-protocol.js';
import type { Vision } from './vision.js';

const load = (s: PinnedSession) => loadSession(s.path, s.options);

/** One EmbeddingModel per session, kept, so a model found unable to batch is found so once. */
const embedders = new Map<string, Promise<EmbeddingModel>>();

function embedder({ spec, session }: PipelineModels['embedding']): Promise<EmbeddingModel> {
  const key = `${spec.id}|${session.path}|${JSON.stringify(session.options)}`;
  let model = embedders.get(key);
  if (!model) {
    model = load(session).then((runner) => createOnnxEmbeddingModel(spec, runner, session.path));
    model.catch(() => embedders.delete(key));
    embedders.set(key, model);
  }
  return model;
}

function visionOf(models: PipelineModels): Vision {
  return {
    detector: async () => createFaceDetector(await load(models.detector)),
    landmarker: async () => createLandmarker(await load(models.landmarks)),
    // The analyzers never ask for pose (it is off on the identify and enrollment paths).
    pose: () => Promise.reject(new Error('head pose is not estimated in pipeline workers')),
  };
}

serveWorker<PipelineRequest, PipelineResponse>(async (request) => {
  const options = { model: await embedder(request.models.embedding), vision: visionOf(request.models), ...request.options };
  let result: AnalyzedImage;
  switch (request.kind) {
    case 'analyze':
      result = await analyzeImage(request.bytes, { ...options, limits: request.limits });
      break;
    case 'analyze-decoded':
      result = await analyzeDecoded(request.image, options);
      break;
    default: {
      const unknown: never = request;
      throw new Error(`unknown request ${JSON.stringify(unknown)}`);
    }
  }
  return { reply: { id: request.id, kind: 'analyzed', result }, transfer: ownedBuffers(result.faces.map((f) => f.embedding)) };
});
