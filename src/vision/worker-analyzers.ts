import { join } from 'node:path';
import type { ModelRegistry } from '../embedding/index.js';
import { ownedBuffers, pinnedSession, siblingEntry, WorkerPool, type SessionOptions } from '../inference/index.js';
import type { DecodeLimits } from './decode.js';
import type { AnalyzeRequest, DetectionOptions, FaceAnalyzer } from './face-analyzer.js';
import type { FrameAnalyzer } from './frame-analyzer.js';
import type { PipelineModels, PipelineOptions, PipelineRequest, PipelineResponse } from './pipeline-protocol.js';
import { VISION_LOADS, VISION_MODEL_FILES } from './vision.js';

export interface WorkerAnalyzerOptions {
  /** Worker threads, each running whole images; the server uses VISAGE_INFERENCE_WORKERS. */
  workers: number;
  /** Folder of the face-finding models. */
  modelsDir: string;
  /** Thread and calibration settings, as for in-thread sessions. */
  session: SessionOptions;
  models: ModelRegistry;
  limits: DecodeLimits;
  detection: DetectionOptions;
}

export interface WorkerAnalyzers {
  /** Takes over `bytes`: its buffer moves to a worker, so the caller must not read it afterwards. */
  analyze: FaceAnalyzer;
  /** Takes over the frame's pixels in the same way. */
  analyzeFrame: FrameAnalyzer;
  close(): Promise<void>;
}

/**
 * The face analyzers of the server with the whole per-image pipeline in worker threads (see
 * pipeline-worker.ts). Before this, decode, detection pre/post-processing, landmarks, alignment
 * and tensor building ran on the main thread between three model runs in the inference pool;
 * profiled under bench:identify that was about 15 ms of event-loop time per image, plus one
 * message round trip per model. The main thread now only decides each model's tuning (once, as
 * before: timed or read from the calibration cache) and hands the bytes over.
 */
export function createWorkerAnalyzers(options: WorkerAnalyzerOptions): WorkerAnalyzers {
  // Spawned on first use: a process that never analyses an image (a test, a tool) starts no threads.
  let pool: WorkerPool<PipelineRequest, PipelineResponse> | undefined;
  const workers = () => (pool ??= new WorkerPool(siblingEntry(import.meta.url, 'pipeline-worker'), options.workers));
  const vision = (model: 'detector' | 'landmarks') =>
    pinnedSession(join(options.modelsDir, VISION_MODEL_FILES[model]), { ...options.session, ...VISION_LOADS[model] });

  async function modelsFor(modelId: string): Promise<PipelineModels> {
    const located = options.models.locate(modelId);
    // One after another: each may time its candidates, which must not compete for the cores.
    const detector = await vision('detector');
    const landmarks = await vision('landmarks');
    const embedding = await pinnedSession(located.file, located.load);
    return { detector, landmarks, embedding: { spec: located.spec, session: embedding } };
  }

  const pipelineOptions = (request: AnalyzeRequest): PipelineOptions => ({
    ...options.detection,
    ...(request.maxFaces !== undefined ? { maxFaces: request.maxFaces } : {}),
  });

  return {
    async analyze(bytes, request) {
      const models = await modelsFor(request.modelId);
      const reply = await workers().send({ kind: 'analyze', bytes, limits: options.limits, models, options: pipelineOptions(request) }, ownedBuffers([bytes]));
      return reply.result;
    },
    async analyzeFrame(frame, request) {
      const models = await modelsFor(request.modelId);
      const reply = await workers().send({ kind: 'analyze-decoded', image: frame, models, options: pipelineOptions(request) }, ownedBuffers([frame.data]));
      return reply.result;
    },
    close: () => pool?.close() ?? Promise.resolve(),
  };
}
