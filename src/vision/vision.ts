import { join } from 'node:path';
import { loadSession, type LoadOptions, type SessionOptions } from '../inference/index.js';
import { createFaceDetector, type FaceDetector } from './detect.js';
import { createLandmarker, type Landmarker } from './landmarks.js';
import { createPoseEstimator, type PoseEstimator } from './pose.js';

export interface VisionOptions extends SessionOptions {
  /** Folder holding fr_detect.onnx, fr_landmark.onnx and fr_pose.onnx. */
  modelsDir: string;
}

export const VISION_MODEL_FILES = { detector: 'fr_detect.onnx', landmarks: 'fr_landmark.onnx', pose: 'fr_pose.onnx' } as const;

/** How each face-finding model is loaded: the landmarker runs every face of an image in one batch. */
export const VISION_LOADS: Record<keyof typeof VISION_MODEL_FILES, Pick<LoadOptions, 'transform'>> = {
  detector: {},
  landmarks: { transform: 'dynamic-batch' },
  pose: {},
};

/** The face-finding models, each loaded on first use and shared through the session cache. */
export interface Vision {
  detector(): Promise<FaceDetector>;
  landmarker(): Promise<Landmarker>;
  pose(): Promise<PoseEstimator>;
}

export function createVision(options: VisionOptions): Vision {
  const threads: SessionOptions = {
    intraOpThreads: options.intraOpThreads,
    allowSpinning: options.allowSpinning,
    inferenceWorkers: options.inferenceWorkers,
    graphOptimizationLevel: options.graphOptimizationLevel,
    calibration: options.calibration,
  };
  const load = (model: keyof typeof VISION_MODEL_FILES) => loadSession(join(options.modelsDir, VISION_MODEL_FILES[model]), { ...threads, ...VISION_LOADS[model] });
  return {
    detector: async () => createFaceDetector(await load('detector')),
    landmarker: async () => createLandmarker(await load('landmarks')),
    pose: async () => createPoseEstimator(await load('pose')),
  };
}
