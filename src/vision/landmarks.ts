import ort from 'onnxruntime-node';
import type { InferenceRunner } from '../inference/index.js';
import type { Box, Point, RgbImage } from './image.js';
import { warpToSquare } from './warp.js';

const SIZE = 64;

export interface Landmarker {
  /** 68 points per box, in original image pixels; all boxes in one batched run. */
  landmarks68(image: RgbImage, boxes: readonly Box[]): Promise<Point[][]>;
}

/**
 * faceplugin's fr_landmark.onnx: a 64×64 grey crop (pixel / 256) of the square of side box-height
 * centred on the detection, as its upstream code cuts it; output 136 values, the 68 iBUG points
 * as x, y fractions of that square.
 */
export function createLandmarker(session: InferenceRunner): Landmarker {
  return {
    async landmarks68(image, boxes) {
      if (boxes.length === 0) return [];
      const squares = boxes.map(landmarkSquare);
      const input = new Float32Array(boxes.length * SIZE * SIZE);
      squares.forEach((sq, b) => {
        const scale = SIZE / sq.width;
        const rgb = warpToSquare(image, [scale, 0, -scale * sq.x, 0, scale, -scale * sq.y], SIZE, 'replicate');
        for (let i = 0; i < SIZE * SIZE; i++) {
          input[b * SIZE * SIZE + i] = (0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!) / 256;
        }
      });
      const out = await session.run({ input: new ort.Tensor('float32', input, [boxes.length, 1, SIZE, SIZE]) });
      const values = Object.values(out)[0]!.data as Float32Array;
      return squares.map((sq, b) =>
        Array.from({ length: 68 }, (_, p): Point => [
          sq.x + values[b * 136 + p * 2]! * sq.width,
          sq.y + values[b * 136 + p * 2 + 1]! * sq.height,
        ]),
      );
    },
  };
}

function landmarkSquare(box: Box): Box {
  const side = box.height;
  return { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, width: side, height: side };
}

const mean = (points: Point[]): Point => [
  points.reduce((s, p) => s + p[0], 0) / points.length,
  points.reduce((s, p) => s + p[1], 0) / points.length,
];

/**
 * The 68-point iBUG layout reduced to the ArcFace 5 points: eye centres (mean of each eye's six
 * contour points 36–41, 42–47), nose tip (30), outer mouth corners (48, 54). Image-left first.
 */
export function toFivePoints(p68: readonly Point[]): Point[] {
  const at = (i: number) => p68[i]!;
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => at(from + k));
  return [mean(range(36, 41)), mean(range(42, 47)), at(30), at(48), at(54)];
}
