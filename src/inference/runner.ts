import type ort from 'onnxruntime-node';

/**
 * The part of an ONNX Runtime session the pipeline uses. An in-thread `ort.InferenceSession`
 * satisfies it, and so does a session living in an inference worker (see inference-pool.ts).
 */
export interface InferenceRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  /** A pool runner takes over the feeds' buffers (see inference-pool.ts): do not reuse them after. */
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
}

/** A transform applied to model bytes before loading, named so a worker can apply it too. */
export type ModelTransform = 'dynamic-batch';
