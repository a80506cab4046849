import type { Box, Point, RgbImage } from './image.js';

const BOX_COLOUR: [number, number, number] = [0, 255, 0];
const POINT_COLOURS: Array<[number, number, number]> = [
  [255, 0, 0], // left eye
  [0, 0, 255], // right eye
  [255, 255, 0], // nose
  [255, 0, 255], // left mouth corner
  [0, 255, 255], // right mouth corner
];

/** Draws face boxes and their 5 landmarks onto a copy of the image, for a person to check by eye. */
export function drawFaces(image: RgbImage, faces: ReadonlyArray<{ box: Box; landmarks: readonly Point[] }>): RgbImage {
  const out: RgbImage = { ...image, data: new Uint8Array(image.data) };
  const thickness = Math.max(1, Math.round(Math.max(image.width, image.height) / 400));
  for (const face of faces) {
    const { x, y, width, height } = face.box;
    fillRect(out, x, y, width, thickness, BOX_COLOUR);
    fillRect(out, x, y + height - thickness, width, thickness, BOX_COLOUR);
    fillRect(out, x, y, thickness, height, BOX_COLOUR);
    fillRect(out, x + width - thickness, y, thickness, height, BOX_COLOUR);
    const radius = Math.max(2, thickness * 2);
    face.landmarks.forEach(([px, py], i) => fillRect(out, px - radius, py - radius, 2 * radius + 1, 2 * radius + 1, POINT_COLOURS[i % 5]!));
  }
  return out;
}

function fillRect(image: RgbImage, x: number, y: number, w: number, h: number, colour: [number, number, number]): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(image.width, Math.round(x + w));
  const y1 = Math.min(image.height, Math.round(y + h));
  for (let py = y0; py < y1; py++) {
    for (let px = x0; px < x1; px++) {
      const p = (py * image.width + px) * 3;
      image.data[p] = colour[0];
      image.data[p + 1] = colour[1];
      image.data[p + 2] = colour[2];
    }
  }
}
