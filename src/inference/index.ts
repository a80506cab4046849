export { loadSession } from './session.js';
export { sharedSessionOptions, DEFAULT_INTRA_OP_THREADS } from './session-options.js';
export type { SessionOptions } from './session-options.js';
export { withDynamicBatch } from './dynamic-batch.js';
export type { InferenceRunner, ModelTransform } from './runner.js';
export { InferencePool, inferencePool } from './inference-pool.js';
export * from './calibration.js';
export { calibrations, calibrationSummary, modelTunings, onCalibration } from './calibrations.js';
export { inferenceSettings } from './inference-settings.js';
