import ort from 'onnxruntime-node';
import type { InferenceRunner } from '../inference/index.js';
import type { Box, RgbImage } from './image.js';
import { warpToSquare } from './warp.js';

export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

export interface PoseEstimator {
  estimate(image: RgbImage, box: Box): Promise<HeadPose>;
}

const SIZE = 224;
const BINS = 66;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/**
 * faceplugin's fr_pose.onnx, a HopeNet-style binned regressor: the face box enlarged by a quarter
 * on each side, stretched to 224×224 RGB with ImageNet normalisation; three heads of 66 bins of
 * 3° from −99°, read as the softmax expectation. Degrees; yaw > 0 is the subject turning to the
 * image's left (as the model was trained; sign conventions are undocumented upstream).
 */
export function createPoseEstimator(session: InferenceRunner): PoseEstimator {
  const [yawName, pitchName, rollName] = session.outputNames;
  return {
    async estimate(image, box) {
      const x = box.x - box.width / 4;
      const y = box.y - box.height / 4;
      const sx = SIZE / (box.width * 1.5);
      const sy = SIZE / (box.height * 1.5);
      const rgb = warpToSquare(image, [sx, 0, -sx * x, 0, sy, -sy * y], SIZE, 'replicate');
      const plane = SIZE * SIZE;
      const input = new Float32Array(3 * plane);
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++) input[c * plane + i] = (rgb[i * 3 + c]! / 255 - MEAN[c]!) / STD[c]!;
      }
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
      const angle = (name: string | undefined) => expectation(out[name!]!.data as Float32Array) * 3 - 99;
      return { yaw: angle(yawName), pitch: angle(pitchName), roll: angle(rollName) };
    },
  };
}

function expectation(logits: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < BINS; i++) max = Math.max(max, logits[i]!);
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < BINS; i++) {
    const e = Math.exp(logits[i]! - max);
    sum += e;
    weighted += e * i;
  }
  return weighted / sum;
}
