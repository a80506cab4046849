import type ort from 'onnxruntime-node';

export interface SessionOptions {
  /**
   * Threads one inference may use. Default 1: see sharedSessionOptions for the measurement.
   */
  intraOpThreads?: number;
  /** Let idle pool threads spin; default false (see below). A knob for `bench:pipeline --spinning`. */
  allowSpinning?: boolean;
}

export const DEFAULT_INTRA_OP_THREADS = 1;

/**
 * The one place the ONNX Runtime thread policy is decided, for every model the project loads.
 *
 * Measured on the 2-core dev machine with detect, landmark and feature sessions loaded together
 * and run in turn (medians of 40 runs, other processes busy; `npm run bench:pipeline -- --ort-threads N
[--spinning]` repeats the comparison on the whole pipeline):
 *   ORT default (2 threads, spinning on): detect 13.0 ms, landmark 3.3 ms, feature 49.5 ms
 *   intraOp 2, spinning on:               detect 15.0 ms, landmark 0.9 ms, feature 55.9 ms
 *   intraOp 2, spinning off:              detect  3.7 ms, landmark 1.0 ms, feature 13.6 ms
 *   intraOp 1, spinning off:              detect  3.6 ms, landmark 0.7 ms, feature 13.3 ms
 * With several sessions on two cores, idle pool threads that spin steal the cores the running
 * session needs, so latency quadruples. One thread without spinning is as fast as two for these
 * small models and leaves the second core to a concurrent request, which is where the server's
 * parallelism comes from (requests, not operators).
 */
export function sharedSessionOptions(options: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  const spin = options.allowSpinning ? '1' : '0';
  return {
    intraOpNumThreads: options.intraOpThreads ?? DEFAULT_INTRA_OP_THREADS,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The faceplugin models list their weights as graph inputs; ORT warns about each one at load.
    logSeverityLevel: 3,
    extra: { session: { 'intra_op.allow_spinning': spin, 'inter_op.allow_spinning': spin } },
  };
}
