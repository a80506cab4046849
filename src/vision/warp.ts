import type { RgbImage } from './image.js';
import { affineScale, invertAffine, type Affine } from './similarity.js';

export type Border = 'zero' | 'replicate';

/**
 * Resamples `image` into a `size`×`size` RGB crop, where `forward` maps image pixel coordinates
 * (pixel centres at integers, as OpenCV) to crop coordinates, with bilinear sampling.
 * Bilinear alone reads only 4 source pixels per output pixel, so a face shrunk by more than 2×
 * would alias into noise: then the face's region is first box-averaged by the integer factor k
 * (cost proportional to the region, not to the whole photo) and the remaining ≤ 2× is bilinear.
 * `zero` border matches how ArcFace-style crops were made in training (cv2.warpAffine's default).
 */
export function warpToSquare(image: RgbImage, forward: Affine, size: number, border: Border = 'zero'): Uint8Array {
  const k = Math.floor(1 / affineScale(forward));
  if (k >= 2) {
    const shrunk = shrinkRegion(image, forward, size, k);
    if (shrunk) return warpBilinear(shrunk.image, shrunk.forward, size, border);
  }
  return warpBilinear(image, forward, size, border);
}

function warpBilinear(image: RgbImage, forward: Affine, size: number, border: Border): Uint8Array {
  const inv = invertAffine(forward);
  const out = new Uint8Array(size * size * 3);
  const { data, width, height } = image;
  const acc = [0, 0, 0];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      acc[0] = acc[1] = acc[2] = 0;
      sampleBilinear(data, width, height, inv[0] * ox + inv[1] * oy + inv[2], inv[3] * ox + inv[4] * oy + inv[5], border, acc);
      const o = (oy * size + ox) * 3;
      out[o] = Math.round(acc[0]!);
      out[o + 1] = Math.round(acc[1]!);
      out[o + 2] = Math.round(acc[2]!);
    }
  }
  return out;
}

/**
 * Box-averages, by `k`, the part of the image the crop can see, and returns it with the crop
 * transform re-expressed for it; undefined when the crop lies wholly outside the image.
 */
function shrinkRegion(image: RgbImage, forward: Affine, size: number, k: number): { image: RgbImage; forward: Affine } | undefined {
  const inv = invertAffine(forward);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [cx, cy] of [[-1, -1], [size, -1], [-1, size], [size, size]] as const) {
    xs.push(inv[0] * cx + inv[1] * cy + inv[2]);
    ys.push(inv[3] * cx + inv[4] * cy + inv[5]);
  }
  const x0 = Math.max(0, Math.floor(Math.min(...xs)) - 2 * k);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)) - 2 * k);
  const x1 = Math.min(image.width, Math.ceil(Math.max(...xs)) + 2 * k);
  const y1 = Math.min(image.height, Math.ceil(Math.max(...ys)) + 2 * k);
  if (x1 <= x0 || y1 <= y0) return undefined;
  const w = Math.ceil((x1 - x0) / k);
  const h = Math.ceil((y1 - y0) / k);
  const data = new Uint8Array(w * h * 3);
  const { data: src, width } = image;
  for (let v = 0; v < h; v++) {
    const sy0 = y0 + v * k;
    const sy1 = Math.min(y1, sy0 + k);
    for (let u = 0; u < w; u++) {
      const sx0 = x0 + u * k;
      const sx1 = Math.min(x1, sx0 + k);
      let r = 0, g = 0, b = 0;
      for (let sy = sy0; sy < sy1; sy++) {
        let p = (sy * width + sx0) * 3;
        for (let sx = sx0; sx < sx1; sx++, p += 3) {
          r += src[p]!;
          g += src[p + 1]!;
          b += src[p + 2]!;
        }
      }
      const n = (sy1 - sy0) * (sx1 - sx0);
      const o = (v * w + u) * 3;
      data[o] = Math.round(r / n);
      data[o + 1] = Math.round(g / n);
      data[o + 2] = Math.round(b / n);
    }
  }
  // Shrunk pixel (u, v) is the mean of source pixels whose centre is x0 + k·u + (k − 1)/2.
  const ox = x0 + (k - 1) / 2;
  const oy = y0 + (k - 1) / 2;
  const f = forward;
  return {
    image: { data, width: w, height: h },
    forward: [f[0] * k, f[1] * k, f[0] * ox + f[1] * oy + f[2], f[3] * k, f[4] * k, f[3] * ox + f[4] * oy + f[5]],
  };
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
