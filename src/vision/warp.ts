import type { RgbImage } from './image.js';
import { affineScale, invertAffine, type Affine } from './similarity.js';

export type Border = 'zero' | 'replicate';

/**
 * Resamples `image` into a `size`×`size` RGB crop, where `forward` maps image pixel coordinates
 * (pixel centres at integers, as OpenCV) to crop coordinates. Bilinear; when the crop shrinks the
 * face by more than 2×, each output pixel averages k×k bilinear samples so a large face is not
 * aliased into noise (plain bilinear only looks at 4 source pixels).
 * `zero` border matches how ArcFace-style crops were made in training (cv2.warpAffine's default).
 */
export function warpToSquare(image: RgbImage, forward: Affine, size: number, border: Border = 'zero'): Uint8Array {
  const inv = invertAffine(forward);
  const k = Math.min(8, Math.max(1, Math.floor(1 / affineScale(forward))));
  const out = new Uint8Array(size * size * 3);
  const { data, width, height } = image;
  const acc = [0, 0, 0];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let j = 0; j < k; j++) {
        const cy = oy + (j + 0.5) / k - 0.5;
        for (let i = 0; i < k; i++) {
          const cx = ox + (i + 0.5) / k - 0.5;
          sampleBilinear(data, width, height, inv[0] * cx + inv[1] * cy + inv[2], inv[3] * cx + inv[4] * cy + inv[5], border, acc);
        }
      }
      const o = (oy * size + ox) * 3;
      const n = k * k;
      out[o] = Math.round(acc[0]! / n);
      out[o + 1] = Math.round(acc[1]! / n);
      out[o + 2] = Math.round(acc[2]! / n);
    }
  }
  return out;
}

function sampleBilinear(data: Uint8Array, width: number, height: number, x: number, y: number, border: Border, acc: number[]): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  for (let dy = 0; dy < 2; dy++) {
    const wy = dy === 0 ? 1 - fy : fy;
    if (wy === 0) continue;
    let py = y0 + dy;
    if (py < 0 || py >= height) {
      if (border === 'zero') continue;
      py = py < 0 ? 0 : height - 1;
    }
    for (let dx = 0; dx < 2; dx++) {
      const w = wy * (dx === 0 ? 1 - fx : fx);
      if (w === 0) continue;
      let px = x0 + dx;
      if (px < 0 || px >= width) {
        if (border === 'zero') continue;
        px = px < 0 ? 0 : width - 1;
      }
      const p = (py * width + px) * 3;
      acc[0]! += w * data[p]!;
      acc[1]! += w * data[p + 1]!;
      acc[2]! += w * data[p + 2]!;
    }
  }
}
