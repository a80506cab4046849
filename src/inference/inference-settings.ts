import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import type { SessionOptions } from './session-options.js';
import { calibrationSettings } from './calibration.js';

type InferenceConfig = Pick<Config, 'ortCalibration' | 'ortGraphLevel' | 'ortThreads' | 'inferenceWorkers' | 'ortCalibrationBudgetMs' | 'ortCalibrationFile' | 'dataDir'>;

/** The session options every model of the server, `models:check` and the benches load with. */
export function inferenceSettings(config: InferenceConfig, overrides: { fresh?: boolean } = {}): SessionOptions {
  const calibration = calibrationSettings({
    enabled: config.ortCalibration,
    graphLevel: config.ortGraphLevel,
    intraOpThreads: config.ortThreads,
    workers: config.inferenceWorkers,
    cores: availableParallelism(),
    budgetMs: config.ortCalibrationBudgetMs,
    cacheFile: overrides.fresh || config.ortCalibrationFile === 'off' ? undefined : (config.ortCalibrationFile ?? join(config.dataDir, 'ort-calibration.json')),
  });
  return {
    ...(config.ortThreads ? { intraOpThreads: config.ortThreads } : {}),
    ...(config.ortGraphLevel ? { graphOptimizationLevel: config.ortGraphLevel } : {}),
    inferenceWorkers: config.inferenceWorkers,
    calibration,
  };
}
