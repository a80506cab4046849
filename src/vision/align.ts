import type { Box, Point, RgbImage } from './image.js';
import { estimateSimilarity, type Affine } from './similarity.js';
import { warpToSquare } from './warp.js';

/**
 * The standard ArcFace 5-point template for a 112×112 crop: left eye, right eye, nose tip,
 * left mouth corner, right mouth corner (left/right as seen in the image).
 */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

export function templateFor(size: number): Point[] {
  const s = size / 112;
  return ARCFACE_TEMPLATE_112.map(([x, y]) => [x * s, y * s]);
}

export interface Crop {
  data: Uint8Array;
  size: number;
  /** Image → crop coordinates. */
  transform: Affine;
}

/** Similarity-aligns the face whose 5 landmarks are given onto the ArcFace template. */
export function alignFace(image: RgbImage, landmarks5: readonly Point[], size = 112): Crop {
  const transform = estimateSimilarity(landmarks5, templateFor(size));
  return { data: warpToSquare(image, transform, size, 'zero'), size, transform };
}

/** Square crop centred on `box`, its longer side enlarged by `margin`, resized to `size`. */
export function boxCrop(image: RgbImage, box: Box, margin: number, size: number): Crop {
  const side = Math.max(box.width, box.height) * (1 + margin);
  const scale = size / side;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // Pixel centres: crop pixel (size−1)/2 sits on the box centre.
  const transform: Affine = [scale, 0, (size - 1) / 2 - scale * cx, 0, scale, (size - 1) / 2 - scale * cy];
  return { data: warpToSquare(image, transform, size, 'zero'), size, transform };
}
