import { CONFIG_DEFAULTS } from '../config/index.js';
import type ort from 'onnxruntime-node';
import type { CalibrationSettings, GraphLevel } from '../inference/calibration.js';

export interface SessionOptions {
  /** Threads one inference may use. Default 1; see sharedSessionOptions for the measurements. */
  intraOpThreads?: number;
  /** Let idle pool threads spin; default false (see below). A knob for `bench:pipeline --spinning`. */
  allowSpinning?: boolean;
  /**
   * Run inference in this many worker threads (each with its own copy of the sessions) instead
   * of on the main thread; 0 (default) keeps it in-thread. See inference-pool.ts.
   */
  inferenceWorkers?: number;
  /** Graph optimisation level; default 'all'. Normally chosen per model by calibration. */
  graphOptimizationLevel?: GraphLevel;
  /** How loadSession tunes level and threads per model (src/inference/); absent = no timing. */
  calibration?: CalibrationSettings;
}

export const DEFAULT_INTRA_OP_THREADS = CONFIG_DEFAULTS.ortThreads;

/**
 * The one place the ONNX Runtime thread policy is decided, for every model the project loads.
 * All numbers: `npm run bench:pipeline -- --ort-threads N [--concurrency C] [--workers W]
 * [--spinning]` on the 2-core dev machine, median per single-face ≤ 1 MP faces-dev photo. The
 * machine was shared with other busy processes, so compare rows of one round, not across rounds.
 *
 * 1. Spinning must be off. With the detect, landmark and feature sessions all loaded, idle pool
 *    threads that spin steal the cores the running session needs: 244 ms per face with spinning
 *    against 31 ms without (2 threads, same round).
 * 2. onnxruntime-node runs inference synchronously on the calling JS thread (a 1 ms timer gets
 *    no ticks while `session.run` works), so concurrent requests cannot overlap their inference.
 * 3. One intra-op thread: at moderate load (load average 2–4), three alternating rounds gave
 *      1 thread:  25.6 / 26.4 / 26.1 ms per face, 22.2 / 21.5 / 21.9 images/s
 *      2 threads: 27.5 / 28.8 / 29.2 ms per face, 21.7 / 20.9 / 21.5 images/s
 *    and with two requests in flight 23.6 / 23.8 / 22.6 against 22.9 / 22.8 / 21.7 images/s.
 *    A second intra-op thread waits for a core another request or process holds; one thread
 *    leaves that core to decoding and the next request. (Under heavy load, 8–16, two threads
 *    sometimes won: the numbers there swung by 2x between identical runs.) Re-measure on the
 *    target machine and set VISAGE_ORT_THREADS if it differs.
 * 4. `inferenceWorkers` moves runs to worker threads, freeing the event loop: 2 workers × 1
 *    thread with two requests in flight gave 22.5 / 23.3 / 22.8 images/s, the same throughput.
 */
export function sharedSessionOptions(options: SessionOptions = {}): ort.InferenceSession.SessionOptions {
  const spin = options.allowSpinning ? '1' : '0';
  return {
    intraOpNumThreads: options.intraOpThreads ?? DEFAULT_INTRA_OP_THREADS,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    // The faceplugin models list their weights as graph inputs; ORT warns about each one at load.
    logSeverityLevel: 3,
    extra: { session: { 'intra_op.allow_spinning': spin, 'inter_op.allow_spinning': spin } },
  };
}
