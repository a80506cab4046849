import type ort from 'onnxruntime-node';
import { measureTunings } from './calibrate.js';
import { candidateTunings, FALLBACK_TUNING, type Calibration, type CalibrationSettings, type SessionTuning } from './calibration.js';
import { calibrationKey, readCachedCalibration, writeCachedCalibration } from './calibration-cache.js';
import { recordCalibration } from './calibrations.js';

/**
 * Decides the graph optimisation level and intra-op threads for one model: the pins when config
 * fixes both (or calibration is off), else the disk cache, else a timing of every candidate. The
 * best level depends on model and CPU (on one AVX-512 Xeon the embedder ran 3x slower with `all`
 * while the detector ran 2x faster), so no constant is right everywhere.
 */
export async function tuneSession(
  model: string,
  bytes: Uint8Array,
  settings: CalibrationSettings,
  optionsFor: (t: SessionTuning) => ort.InferenceSession.SessionOptions,
): Promise<Calibration> {
  const calibration = await decide(model, bytes, settings, optionsFor);
  recordCalibration(calibration);
  return calibration;
}

async function decide(
  model: string,
  bytes: Uint8Array,
  settings: CalibrationSettings,
  optionsFor: (t: SessionTuning) => ort.InferenceSession.SessionOptions,
): Promise<Calibration> {
  const candidates = candidateTunings(settings);
  if (!settings.enabled || candidates.length === 1) {
    return {
      source: 'pinned',
      model,
      tuning: { graphLevel: settings.graphLevel ?? FALLBACK_TUNING.graphLevel, intraOpThreads: settings.intraOpThreads ?? FALLBACK_TUNING.intraOpThreads },
    };
  }
  const key = calibrationKey(bytes, candidates);
  if (settings.cacheFile) {
    const cached = await readCachedCalibration(settings.cacheFile, key);
    if (cached) return { source: 'cached', model, tuning: cached.tuning, table: cached.table, key };
  }
  const started = performance.now();
  const table = await measureTunings(bytes, candidates, settings.budgetMs, optionsFor);
  const best = table[0]!;
  const tuning: SessionTuning = { graphLevel: best.graphLevel, intraOpThreads: best.intraOpThreads };
  const spentMs = Math.round(performance.now() - started);
  if (settings.cacheFile) {
    // A read-only disk must not stop the server: the choice is still used, just not remembered.
    await writeCachedCalibration(settings.cacheFile, key, { tuning, table, measuredAt: new Date().toISOString() }).catch(() => undefined);
  }
  return { source: 'measured', model, tuning, table, key, spentMs };
}
