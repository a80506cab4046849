import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignFace, ARCFACE_TEMPLATE_112, templateFor } from '../../src/vision/align.js';
import type { Point, RgbImage } from '../../src/vision/image.js';
import { applyAffine, estimateSimilarity, invertAffine, type Affine } from '../../src/vision/similarity.js';
import { warpToSquare } from '../../src/vision/warp.js';

function assertMatrix(actual: Affine, expected: Affine): void {
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-9, `element ${i}: ${v} ≠ ${expected[i]}`));
}

describe('estimateSimilarity (2-D Umeyama)', () => {
  it('returns the identity for identical point sets', () => {
    const pts: Point[] = [[1, 2], [5, 3], [4, 7]];
    assertMatrix(estimateSimilarity(pts, pts), [1, 0, 0, 0, 1, 0]);
  });

  it('recovers a pure translation', () => {
    const src: Point[] = [[0, 0], [2, 0], [0, 3]];
    const dst = src.map(([x, y]): Point => [x + 10, y - 4]);
    assertMatrix(estimateSimilarity(src, dst), [1, 0, 10, 0, 1, -4]);
  });

  it('recovers scale 2 with a 90° rotation: (0,0)→(1,1), (1,0)→(1,3)', () => {
    // Hand-computed: x' = −2y + 1, y' = 2x + 1.
    assertMatrix(estimateSimilarity([[0, 0], [1, 0]], [[1, 1], [1, 3]]), [0, -2, 1, 2, 0, 1]);
  });

  it('gives the least-squares fit when no similarity is exact', () => {
    // src (−1,0),(1,0),(0,0) → dst (−2,0),(2,0),(0,1): centred, Σ⟨s,d⟩ = 4, Σ|s|² = 2, Σ s×d = 0,
    // so scale 2, no rotation, and t = mean(dst) − 2·mean(src) = (0, 1/3).
    assertMatrix(estimateSimilarity([[-1, 0], [1, 0], [0, 0]], [[-2, 0], [2, 0], [0, 1]]), [2, 0, 0, 0, 2, 1 / 3]);
  });

  it('never reflects: a mirrored pair becomes a 180° rotation', () => {
    assertMatrix(estimateSimilarity([[-1, 0], [1, 0]], [[1, 0], [-1, 0]]), [-1, 0, 0, 0, -1, 0]);
  });

  it('maps a rotated, scaled, shifted copy of the template back onto it exactly', () => {
    const angle = 0.3;
    const forward: Affine = [1.7 * Math.cos(angle), -1.7 * Math.sin(angle), 40, 1.7 * Math.sin(angle), 1.7 * Math.cos(angle), 25];
    const face = ARCFACE_TEMPLATE_112.map((p) => applyAffine(forward, p));
    const m = estimateSimilarity(face, [...ARCFACE_TEMPLATE_112]);
    assertMatrix(m, invertAffine(forward));
  });

  it('refuses degenerate input', () => {
    assert.throws(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]]));
    assert.throws(() => estimateSimilarity([[1, 1]], [[0, 0]]));
  });
});

describe('templateFor', () => {
  it('scales the 112 template to other input sizes', () => {
    assert.deepEqual(templateFor(224)[0], [ARCFACE_TEMPLATE_112[0]![0] * 2, ARCFACE_TEMPLATE_112[0]![1] * 2]);
  });
});

function gradientImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 100], (y * width + x) * 3);
  return { data, width, height };
}

describe('warpToSquare', () => {
  it('copies pixels under the identity transform', () => {
    const image = gradientImage(20, 20);
    const out = warpToSquare(image, [1, 0, 0, 0, 1, 0], 8);
    assert.deepEqual(Array.from(out.subarray((3 * 8 + 5) * 3, (3 * 8 + 5) * 3 + 3)), [5, 3, 100]);
  });

  it('interpolates bilinearly between pixels', () => {
    const image = gradientImage(20, 20);
    // Crop pixel (0,0) samples image point (2.5, 4.5), where the gradient is worth (2.5, 4.5); rounded: 3, 5.
    const out = warpToSquare(image, [1, 0, -2.5, 0, 1, -4.5], 4);
    assert.deepEqual(Array.from(out.subarray(0, 3)), [3, 5, 100]);
  });

  it('fills outside the image with black under the zero border', () => {
    const out = warpToSquare(gradientImage(4, 4), [1, 0, 10, 0, 1, 10], 4);
    assert.deepEqual(Array.from(out.subarray(0, 3)), [0, 0, 0]);
  });

  it('averages when shrinking so a fine checkerboard becomes mid-grey, not aliased stripes', () => {
    const size = 64;
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.fill((x + y) % 2 ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
    const out = warpToSquare({ data, width: size, height: size }, [0.25, 0, 0, 0, 0.25, 0], 16);
    // Away from the edges (where the black border enters the average):
    for (let y = 2; y < 14; y++) {
      for (let x = 2; x < 14; x++) {
        const v = out[(y * 16 + x) * 3]!;
        assert.ok(v > 100 && v < 156, `pixel (${x},${y}) = ${v} should be near 128`);
      }
    }
  });
});

describe('alignFace', () => {
  it('puts the given landmarks on the template positions of the crop', () => {
    const image = gradientImage(200, 200);
    const landmarks = ARCFACE_TEMPLATE_112.map(([x, y]): Point => [x * 1.5 + 20, y * 1.5 + 10]);
    const crop = alignFace(image, landmarks, 112);
    const [tx, ty] = ARCFACE_TEMPLATE_112[2]!.map(Math.round) as [number, number];
    const p = (ty * 112 + tx) * 3;
    // Crop pixel (tx, ty) shows image point (tx·1.5 + 20, ty·1.5 + 10), whose colour encodes its coordinates.
    assert.ok(Math.abs(crop.data[p]! - (tx * 1.5 + 20)) <= 1);
    assert.ok(Math.abs(crop.data[p + 1]! - (ty * 1.5 + 10)) <= 1);
  });
});
