import ort from 'onnxruntime-node';
import type { InferenceRunner } from '../inference/index.js';
import sharp from 'sharp';
import type { Box, RgbImage } from './image.js';
import { nonMaxSuppression, type ScoredBox } from './nms.js';

export interface DetectOptions {
  /** Face probability below which a candidate is dropped. */
  minScore: number;
  /** Shorter side of the box in original pixels below which a face is dropped. */
  minFaceSize: number;
  /** IoU above which the weaker of two overlapping boxes is suppressed. */
  iouThreshold?: number;
}

export const DEFAULT_IOU_THRESHOLD = 0.3;

export interface FaceDetector {
  /** Faces in original image pixels, highest score first. */
  detect(image: RgbImage, options: DetectOptions): Promise<ScoredBox[]>;
}

const INPUT_WIDTH = 320;
const INPUT_HEIGHT = 240;

/**
 * UltraFace RFB-320 (faceplugin's fr_detect.onnx): input 1×3×240×320 RGB (x − 127) / 128, the
 * whole photo stretched to 320×240 as the model was used upstream; outputs per-anchor softmax
 * scores [1, 4420, 2] and corner boxes [1, 4420, 4] already decoded to 0..1 of the input.
 */
export function createFaceDetector(session: InferenceRunner): FaceDetector {
  return {
    async detect(image, options) {
      const resized = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize(INPUT_WIDTH, INPUT_HEIGHT, { fit: 'fill' })
        .raw()
        .toBuffer();
      const plane = INPUT_WIDTH * INPUT_HEIGHT;
      const input = new Float32Array(3 * plane);
      for (let i = 0; i < plane; i++) {
        input[i] = (resized[i * 3]! - 127) / 128;
        input[i + plane] = (resized[i * 3 + 1]! - 127) / 128;
        input[i + 2 * plane] = (resized[i * 3 + 2]! - 127) / 128;
      }
      const out = await session.run({ input: new ort.Tensor('float32', input, [1, 3, INPUT_HEIGHT, INPUT_WIDTH]) });
      const scores = out.scores!.data as Float32Array;
      const boxes = out.boxes!.data as Float32Array;
      const candidates: ScoredBox[] = [];
      for (let i = 0; i < scores.length / 2; i++) {
        const score = scores[i * 2 + 1]!;
        if (score < options.minScore) continue;
        const box = toImageBox(boxes, i, image);
        if (box.width <= 0 || box.height <= 0) continue;
        candidates.push({ box, score });
      }
      return nonMaxSuppression(candidates, options.iouThreshold ?? DEFAULT_IOU_THRESHOLD).filter(
        (c) => Math.min(c.box.width, c.box.height) >= options.minFaceSize,
      );
    },
  };
}

function toImageBox(boxes: Float32Array, i: number, image: RgbImage): Box {
  const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  const x1 = clamp(boxes[i * 4]! * image.width, image.width);
  const y1 = clamp(boxes[i * 4 + 1]! * image.height, image.height);
  const x2 = clamp(boxes[i * 4 + 2]! * image.width, image.width);
  const y2 = clamp(boxes[i * 4 + 3]! * image.height, image.height);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}
