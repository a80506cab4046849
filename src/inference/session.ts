import { readFile, access } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { AppError } from '../errors.js';
import type { CalibrationSettings, SessionTuning } from '../inference/calibration.js';
import { tuneSession } from '../inference/tune-session.js';
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
  const workers = options.inferenceWorkers ?? 0;
  const settings = calibrationSettingsFor(options);
  const tuningKey = settings.enabled ? `auto:${options.intraOpThreads ?? ''}:${options.graphOptimizationLevel ?? ''}` : `${settings.intraOpThreads}:${settings.graphLevel}`;
  const key = `${resolve(path)}|${options.transform ?? ''}|${tuningKey}|${options.allowSpinning ? 'spin' : ''}|${workers}`;
  let session = sessions.get(key);
  if (!session) {
    const hint = options.hint ?? 'Run scripts/fetch-models.sh (see README).';
    session = (async (): Promise<InferenceRunner> => {
      await assertModelFile(path, hint);
      const bytes: Uint8Array = await readFile(path);
      try {
        const model = options.transform ? TRANSFORMS[options.transform](bytes) : bytes;
        const optionsFor = (t: SessionTuning): SessionOptions => ({ intraOpThreads: t.intraOpThreads, graphOptimizationLevel: t.graphLevel, allowSpinning: options.allowSpinning });
        const { tuning } = await tuneSession(basename(path), model, settings, (t) => sharedSessionOptions(optionsFor(t)));
        // Workers get the decided tuning as pins, so they build their sessions without timing again.
        if (workers > 0) return await inferencePool(workers).load(path, optionsFor(tuning), options.transform, hint);
        return await ort.InferenceSession.create(model, sharedSessionOptions(optionsFor(tuning)));
      } catch (err) {
        if (err instanceof AppError) throw err;
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

/** Without calibration settings (tests, tools) the given or fallback values are used as pins. */
function calibrationSettingsFor(options: SessionOptions): CalibrationSettings {
  const pins = {
    ...(options.graphOptimizationLevel ? { graphLevel: options.graphOptimizationLevel } : {}),
    ...(options.intraOpThreads ? { intraOpThreads: options.intraOpThreads } : {}),
  };
  if (options.calibration) return { ...options.calibration, ...pins };
  return { enabled: false, graphLevel: 'all', intraOpThreads: DEFAULT_INTRA_OP_THREADS, maxThreads: 1, levels: [], budgetMs: 0, ...pins };
}
