/** What calibration decides for one model, and where the decision came from. */
import type { GraphLevel } from '../config/graph-level.js';

export { GRAPH_LEVELS, type GraphLevel } from '../config/graph-level.js';

export interface SessionTuning {
  graphLevel: GraphLevel;
  intraOpThreads: number;
}

/** One measured candidate: the median of its timed runs on the warm-up input. */
export interface CalibrationRow extends SessionTuning {
  medianMs: number;
  runs: number;
}

/** How the process tunes sessions; built from VISAGE_ORT_* config (src/config). */
export interface CalibrationSettings {
  /** false: no timing, the pins (or the fallbacks) are used as they are. */
  enabled: boolean;
  /** Pinned level; undefined = calibrate it. */
  graphLevel?: GraphLevel;
  /** Pinned intra-op threads; undefined = calibrate 1..maxThreads. */
  intraOpThreads?: number;
  /** Largest thread count tried. */
  maxThreads: number;
  /** Levels tried when the level is not pinned. */
  levels: readonly GraphLevel[];
  /** Time allowed for one model's timing (session builds included). */
  budgetMs: number;
  /** JSON file remembering measured choices; undefined = no disk cache. */
  cacheFile?: string;
}

/** Lifecycle of one model's tuning: pinned by config, measured now, or read from the disk cache. */
export type Calibration =
  | { source: 'pinned'; model: string; tuning: SessionTuning }
  | { source: 'measured'; model: string; tuning: SessionTuning; table: CalibrationRow[]; key: string; spentMs: number }
  | { source: 'cached'; model: string; tuning: SessionTuning; table: CalibrationRow[]; key: string };

/** Used when calibration is off and nothing is pinned: the pre-calibration behaviour. */
export const FALLBACK_TUNING: SessionTuning = { graphLevel: 'all', intraOpThreads: 1 };

export function candidateTunings(settings: CalibrationSettings): SessionTuning[] {
  const levels = settings.graphLevel ? [settings.graphLevel] : settings.levels;
  const threads = settings.intraOpThreads
    ? [settings.intraOpThreads]
    : Array.from({ length: Math.max(1, settings.maxThreads) }, (_, i) => i + 1);
  return levels.flatMap((graphLevel) => threads.map((intraOpThreads) => ({ graphLevel, intraOpThreads })));
}

export function describeTuning(t: SessionTuning): string {
  return `${t.graphLevel}/${t.intraOpThreads}t`;
}

/** Levels timed when none is pinned: `basic` lost to one of these on every model measured. */
export const DEFAULT_CALIBRATION_LEVELS: readonly GraphLevel[] = ['extended', 'all'];

/**
 * Settings for a process with `workers` inference workers on `cores` cores. Threads are tried up
 * to cores / workers only: timing takes one run at a time, so it would favour a thread per core,
 * but with every worker busy (the throughput case) those threads fight each other for the cores.
 */
export function calibrationSettings(input: {
  enabled: boolean;
  graphLevel?: GraphLevel | undefined;
  intraOpThreads?: number | undefined;
  workers: number;
  cores: number;
  budgetMs: number;
  cacheFile?: string | undefined;
}): CalibrationSettings {
  return {
    enabled: input.enabled,
    ...(input.graphLevel ? { graphLevel: input.graphLevel } : {}),
    ...(input.intraOpThreads ? { intraOpThreads: input.intraOpThreads } : {}),
    maxThreads: Math.max(1, Math.floor(input.cores / Math.max(1, input.workers))),
    levels: DEFAULT_CALIBRATION_LEVELS,
    budgetMs: input.budgetMs,
    ...(input.cacheFile ? { cacheFile: input.cacheFile } : {}),
  };
}
