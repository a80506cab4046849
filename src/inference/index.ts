export * from './calibration.js';
export { calibrations, calibrationSummary, onCalibration } from './calibrations.js';
export { inferenceSettings } from './inference-settings.js';
