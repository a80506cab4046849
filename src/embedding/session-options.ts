import { availableParallelism } from 'node:os';
import type ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Threads one inference may use. Default: the machine's cores, at most 4 (see below why). */
  intraOpThreads?: number;
  /** Let idle pool threads spin; default false (see below). A knob for `bench:pipeline --spinning`. */
  allowSpinning?: boolean;
  /**
   * Run inference in this many worker threads (each with its own copy of the sessions) instead
   * of on the main thread; 0 (default) keeps it in-thread. See inference-pool.ts.
   */
  inferenceWorkers?: number;
}

/** 2 on the 2-core machines this was measured on; more cores help a single run only up to a point. */
export const DEFAULT_INTRA_OP_THREADS = Math.max(1, Math.min(4, availableParallelism()));

/**
 * The one place the ONNX Runtime thread policy is decided, for every model the project loads.
 *
 * Two measured facts on the 2-core dev machine decide it:
 * 1. Spinning must be off. With detect, landmark and feature sessions loaded together and idle
 *    pool threads allowed to spin, they steal the cores the running session needs:
 *    `npm run bench:pipeline -- --ort-threads 2 --spinning` gave 244 ms per face against 31 ms
 *    without spinning (medians; the fr_feature run alone went from ~13 ms to ~50 ms).
 * 2. onnxruntime-node runs inference synchronously on the JS thread: a 1 ms timer got no ticks
 *    while 20 concurrent `session.run` calls were in flight. Concurrent requests therefore cannot
 *    overlap their inference, and intra-op threads are the only way a run uses the second core.
 *    bench:pipeline over faces-dev, machine shared with other busy processes (load 8–16), median
 *    per single-face ≤ 1 MP photo, 1 vs 2 threads, three alternating rounds:
 *      one request at a time:  43 / 75 / 63 ms  vs  56 / 34 / 38 ms
 *      two requests in flight: 9.4 / 10.7 / 12.0 vs 10.0 / 12.7 / 13.8 images/s
 *    Two threads won five of six pairings; the load made single numbers noisy, so re-run it on
 *    the target machine (`--ort-threads N [--concurrency 2]`) and set VISAGE_ORT_THREADS.
 * 3. `inferenceWorkers` moves the runs to worker threads, which frees the event loop. Same bench,
 *    two requests in flight: 1 worker × 2 threads 25.9 / 16.9 images/s, in-thread × 2 threads
 *    25.8 / 15.6, 2 workers × 1 thread 14.4 / 13.8. So one worker costs nothing and keeps the
 *    server responsive; two single-thread workers lose. Default stays in-thread (0) until the
 *    server has run with it; VISAGE_INFERENCE_WORKERS=1 is the recommended setting.
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
