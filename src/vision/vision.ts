import { join } from 'node:path';
import { loadSession, type SessionOptions } from '../inference/index.js';
import { createFaceDetector, type FaceDetector } from './detect.js';
import { createLandmarker, type Landmarker } from './landmarks.js';
import { createPoseEstimator, type PoseEstimator } from './pose.js';

export interface VisionOptions extends SessionOptions {
  /** Folder holding fr_detect.onnx, fr_landmark.onnx and fr_pose.onnx. */
  modelsDir: string;
}

export const VISION_MODEL_FILES = { detector: 'fr_detect.onnx', landmarks: 'fr_landmark.onnx', pose: 'fr_pose.onnx' } as const;

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
  const file = (name: string) => join(options.modelsDir, name);
  return {
    detector: async () => createFaceDetector(await loadSession(file(VISION_MODEL_FILES.detector), threads)),
    landmarker: async () =>
      createLandmarker(
        await loadSession(file(VISION_MODEL_FILES.landmarks), { ...threads, transform: 'dynamic-batch' }),
      ),
    pose: async () => createPoseEstimator(await loadSession(file(VISION_MODEL_FILES.pose), threads)),
  };
}
