import type { Calibration } from './calibration.js';

/**
 * The tuning chosen for every model this process loaded, by model name. Sessions are process-wide
 * (see embedding/session.ts), so their tunings are too; /metrics, `models:check` and the benches
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
