import { readFile, access } from 'node:fs/promises';
import { resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { AppError } from '../errors.js';
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

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/**
 * Sessions are expensive (tens of MB, 100+ ms to build) and thread-safe for concurrent `run`,
 * so each (file, variant, threads) is built once per process and shared by every caller.
 * `transform` rewrites the model bytes before loading (e.g. to make the batch dimension dynamic);
 * `variant` names the transform in the cache key.
 */
export function loadSession(
  path: string,
  options: SessionOptions & { hint?: string; variant?: string; transform?: (bytes: Uint8Array) => Uint8Array } = {},
): Promise<ort.InferenceSession> {
  const threads = options.intraOpThreads ?? DEFAULT_INTRA_OP_THREADS;
  const key = `${resolve(path)}|${options.variant ?? ''}|${threads}|${options.allowSpinning ? 'spin' : ''}`;
  let session = sessions.get(key);
  if (!session) {
    session = (async () => {
      await assertModelFile(path, options.hint ?? 'Run scripts/fetch-models.sh (see README).');
      const bytes: Uint8Array = await readFile(path);
      try {
        const model = options.transform ? options.transform(bytes) : bytes;
        return await ort.InferenceSession.create(model, sharedSessionOptions(options));
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
