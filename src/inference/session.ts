import { readFile, access } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { AppError } from '../errors.js';
import type { CalibrationSettings, SessionTuning } from './calibration.js';
import { tuneSession } from './tune-session.js';
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
const tunings = new Map<string, Promise<PinnedSession>>();

const TRANSFORMS: Record<ModelTransform, (bytes: Uint8Array) => Uint8Array> = { 'dynamic-batch': withDynamicBatch };

/** How loadSession builds a session: thread and tuning settings, a byte transform, a setup hint for a missing file. */
export type LoadOptions = SessionOptions & { hint?: string; transform?: ModelTransform };

/** A model's session settings with the tuning decided: what a worker loads in-thread without timing again. */
export interface PinnedSession {
  path: string;
  options: LoadOptions;
}

/**
 * Decides once per process how `path` is tuned (timed, read from the calibration cache, or pinned
 * by config) and returns load options that pin that choice, for an in-thread load in a worker.
 * The timing runs here, on the calling thread, one model at a time, so workers never time
 * concurrently against each other, and the choice is recorded for /metrics in this process.
 */
export function pinnedSession(path: string, options: LoadOptions = {}): Promise<PinnedSession> {
  const settings = calibrationSettingsFor(options);
  const key = `${resolve(path)}|${options.transform ?? ''}|${tuningKeyOf(options, settings)}|${options.allowSpinning ? 'spin' : ''}`;
  let pinned = tunings.get(key);
  if (!pinned) {
    pinned = (async (): Promise<PinnedSession> => {
      const { tuning } = await withModelBytes(path, options, (model) => tuneSession(basename(path), model, settings, (t) => sharedSessionOptions(optionsFor(t, options))));
      return {
        path,
        options: {
          ...optionsFor(tuning, options),
          inferenceWorkers: 0,
          ...(options.transform ? { transform: options.transform } : {}),
          ...(options.hint ? { hint: options.hint } : {}),
        },
      };
    })();
    pinned.catch(() => tunings.delete(key));
    tunings.set(key, pinned);
  }
  return pinned;
}

/**
 * Sessions are expensive (tens of MB, 100+ ms to build) and safe to `run` concurrently, so each
 * (file, transform, thread settings) is built once per process and shared by every caller.
 * `transform` rewrites the model bytes before loading (e.g. to make the batch dimension dynamic).
 * With `inferenceWorkers` > 0 the session lives in the inference pool's worker threads instead.
 */
export function loadSession(path: string, options: LoadOptions = {}): Promise<InferenceRunner> {
  const workers = options.inferenceWorkers ?? 0;
  const settings = calibrationSettingsFor(options);
  const key = `${resolve(path)}|${options.transform ?? ''}|${tuningKeyOf(options, settings)}|${options.allowSpinning ? 'spin' : ''}|${workers}`;
  let session = sessions.get(key);
  if (!session) {
    const hint = options.hint ?? DEFAULT_HINT;
    session = (async (): Promise<InferenceRunner> => {
      // Workers get the decided tuning as pins, so they build their sessions without timing again.
      if (workers > 0) {
        const pinned = await pinnedSession(path, options);
        return await inferencePool(workers).load(path, pinned.options, options.transform, hint);
      }
      return await withModelBytes(path, options, async (model) => {
        const { tuning } = await tuneSession(basename(path), model, settings, (t) => sharedSessionOptions(optionsFor(t, options)));
        return ort.InferenceSession.create(model, sharedSessionOptions(optionsFor(tuning, options)));
      });
    })();
    // A failed load must not poison the cache: the file may appear after setup runs.
    session.catch(() => sessions.delete(key));
    sessions.set(key, session);
  }
  return session;
}

const DEFAULT_HINT = 'Run scripts/fetch-models.sh (see README).';

function optionsFor(t: SessionTuning, options: SessionOptions): SessionOptions {
  return { intraOpThreads: t.intraOpThreads, graphOptimizationLevel: t.graphLevel, allowSpinning: options.allowSpinning };
}

function tuningKeyOf(options: SessionOptions, settings: CalibrationSettings): string {
  return settings.enabled ? `auto:${options.intraOpThreads ?? ''}:${options.graphOptimizationLevel ?? ''}` : `${settings.intraOpThreads}:${settings.graphLevel}`;
}

/** Reads and transforms the model file, turning any failure into MODEL_UNAVAILABLE naming it. */
async function withModelBytes<T>(path: string, options: LoadOptions, use: (model: Uint8Array) => Promise<T>): Promise<T> {
  await assertModelFile(path, options.hint ?? DEFAULT_HINT);
  try {
    const bytes: Uint8Array = await readFile(path);
    return await use(options.transform ? TRANSFORMS[options.transform](bytes) : bytes);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('MODEL_UNAVAILABLE', `Model file ${resolve(path)} could not be loaded: ${(err as Error).message}`, {
      path: resolve(path),
    });
  }
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
