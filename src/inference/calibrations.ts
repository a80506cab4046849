import type { Calibration } from './calibration.js';

/**
 * The tuning chosen for every model this process loaded, by model name. Sessions are process-wide
 * (see session.ts), so their tunings are too; /metrics, `models:check` and the benches
 * read them here, and a listener (the server's logger) hears each one as it is decided.
 */
const chosen = new Map<string, Calibration>();
const listeners = new Set<(c: Calibration) => void>();

export function recordCalibration(calibration: Calibration): void {
  chosen.set(calibration.model, calibration);
  for (const listener of listeners) listener(calibration);
}

export function calibrations(): Calibration[] {
  return [...chosen.values()];
}

/** Returns the unsubscribe function. */
export function onCalibration(listener: (c: Calibration) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Compact form for benchmark JSON lines: {"fr_feature.onnx": "all/1t (measured)", ...}. */
export function calibrationSummary(): Record<string, string> {
  return Object.fromEntries(calibrations().map((c) => [c.model, `${c.tuning.graphLevel}/${c.tuning.intraOpThreads}t (${c.source})`]));
}

/** What /metrics exports per model: the chosen settings and their measured median run time. */
export function modelTunings(): { model: string; graphLevel: string; intraOpThreads: number; source: string; medianMs: number }[] {
  return calibrations().map((c) => ({ model: c.model, ...c.tuning, source: c.source, medianMs: c.source === 'pinned' ? 0 : (c.table[0]?.medianMs ?? 0) }));
}
