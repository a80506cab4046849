import { readFile, access } from 'node:fs/promises';
import { resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { AppError } from '../errors.js';
import { withDynamicBatch } from './dynamic-batch.js';
import { inferencePool } from './inference-pool.js';
import type { InferenceRunner, ModelTransform } from './runner.js';
import { DEFAULT_INTRA_OP_THREADS, sharedSessionOptions, type SessionOptions } from './session-options.js';

/** Throws MODEL_UNAVAILABLE naming the file, so a skipped setup step is obvious. */
export async function assertModelFile(path: string, hint: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new AppError('MODEL_UNAVAILABLE', `Model file ${resolve(path)} is missing. ${hint}`, {
      path: resolve(path),
    });
  }
}

const sessions = new Map<string, Promise<InferenceRunner>>();

const TRANSFORMS: Record<ModelTransform, (bytes: Uint8Array) => Uint8Array> = { 'dynamic-batch': withDynamicBatch };

/**
 * Sessions are expensive (tens of MB, 100+ ms to build) and safe to `run` concurrently, so each
 * (file, transform, thread settings) is built once per process and shared by every caller.
 * `transform` rewrites the model bytes before loading (e.g. to make the batch dimension dynamic).
 * With `inferenceWorkers` > 0 the session lives in the inference pool's worker threads instead.
 */
export function loadSession(
  path: string,
  options: SessionOptions & { hint?: string; transform?: ModelTransform } = {},
): Promise<InferenceRunner> {
  const threads = options.intraOpThreads ?? DEFAULT_INTRA_OP_THREADS;
  const workers = options.inferenceWorkers ?? 0;
  const key = `${resolve(path)}|${options.transform ?? ''}|${threads}|${options.allowSpinning ? 'spin' : ''}|${workers}`;
  let session = sessions.get(key);
  if (!session) {
    const hint = options.hint ?? 'Run scripts/fetch-models.sh (see README).';
    const sessionOptions: SessionOptions = { intraOpThreads: threads, allowSpinning: options.allowSpinning };
    session = (async (): Promise<InferenceRunner> => {
      await assertModelFile(path, hint);
      if (workers > 0) return inferencePool(workers).load(path, sessionOptions, options.transform, hint);
      const bytes: Uint8Array = await readFile(path);
      try {
        const model = options.transform ? TRANSFORMS[options.transform](bytes) : bytes;
        return await ort.InferenceSession.create(model, sharedSessionOptions(sessionOptions));
      } catch (err) {
        throw new AppError('MODEL_UNAVAILABLE', `Model file ${resolve(path)} could not be loaded: ${(err as Error).message}`, {
          path: resolve(path),
        });
      }
    })();
    // A failed load must not poison the cache: the file may appear after setup runs.
    session.catch(() => sessions.delete(key));
    sessions.set(key, session);
  }
  return session;
}
