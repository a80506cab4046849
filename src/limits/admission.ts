import PQueue from 'p-queue';
import { AppError } from '../errors.js';

export interface AdmissionOptions {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks allowed to wait; one more is refused at once. */
  maxWaiting: number;
  /** Longest a task waits for its turn before it is refused. */
  maxWaitMs: number;
}

export interface Admission {
  /** Runs `task` when a slot is free, or throws SERVER_BUSY when the queue is full or the wait too long. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Wraps a function so every call goes through the queue. */
  wrap<A extends unknown[], T>(fn: (...args: A) => Promise<T>): (...args: A) => Promise<T>;
  stats(): { running: number; waiting: number };
}

/**
 * The admission queue in front of inference (p-queue for the concurrency and the queue). Without
 * it, 25 concurrent identify calls decode 25 images at once and the process runs out of memory;
 * with it, a burst waits a bounded time and the excess gets a clear SERVER_BUSY (HTTP 503,
 * Retry-After) that a client can retry, instead of a timeout.
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const queue = new PQueue({ concurrency: options.concurrency });
  const retryAfterMs = Math.max(1000, Math.min(options.maxWaitMs, 10_000));
  const busy = (why: string) =>
    new AppError('SERVER_BUSY', `The server is busy (${why}); retry in ${Math.ceil(retryAfterMs / 1000)} s.`, { retryAfterMs });

  async function run<T>(task: () => Promise<T>): Promise<T> {
    if (queue.pending >= options.concurrency && queue.size >= options.maxWaiting) throw busy(`${queue.size} images already waiting for inference`);
    const waited = new AbortController();
    const timer = setTimeout(() => waited.abort(busy(`waited ${options.maxWaitMs} ms for inference`)), options.maxWaitMs);
    try {
      // p-queue rejects an aborted waiter with the signal's reason: our SERVER_BUSY.
      return await queue.add(
        () => {
          // Started in time: the wait limit no longer applies (p-queue would otherwise reject
          // a running task whose signal aborts).
          clearTimeout(timer);
          return task();
        },
        { signal: waited.signal },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    run,
    wrap: (fn) => (...args) => run(() => fn(...args)),
    stats: () => ({ running: queue.pending, waiting: queue.size }),
  };
}
