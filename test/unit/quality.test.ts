import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { laplacianVariance } from '../../src/vision/quality.js';
import { landmarksLookSane } from '../../src/vision/sanity.js';
import { ARCFACE_TEMPLATE_112 } from '../../src/vision/align.js';
import type { Point } from '../../src/vision/image.js';

const image = (size: number, value: (x: number, y: number) => number) => {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.fill(value(x, y), (y * size + x) * 3, (y * size + x) * 3 + 3);
  return data;
};

describe('laplacianVariance (sharpness)', () => {
  it('is zero for a flat crop and for a linear ramp', () => {
    assert.equal(laplacianVariance(image(32, () => 128), 32), 0);
    assert.ok(Math.abs(laplacianVariance(image(32, (x) => x * 4), 32)) < 1e-6);
  });

  it('ranks hard edges above the same pattern blurred', () => {
    const sharp = image(32, (x) => (Math.floor(x / 4) % 2 ? 255 : 0));
    const blurred = image(32, (x) => 127.5 + 127.5 * Math.sin((x * Math.PI) / 4));
    assert.ok(laplacianVariance(sharp, 32) > 2 * laplacianVariance(blurred, 32));
  });
});

describe('landmarksLookSane (pre-cropped faces)', () => {
  const box = { x: 0, y: 0, width: 112, height: 112 };
  it('accepts the ArcFace template itself', () => {
    assert.equal(landmarksLookSane([...ARCFACE_TEMPLATE_112], box), true);
  });

  it('rejects an upside-down face (mouth above the eyes)', () => {
    const flipped = ARCFACE_TEMPLATE_112.map(([x, y]): Point => [x, 112 - y]);
    assert.equal(landmarksLookSane(flipped, box), false);
  });

  it('rejects points collapsed together or outside the crop', () => {
    assert.equal(landmarksLookSane(ARCFACE_TEMPLATE_112.map((): Point => [56, 56]), box), false);
    assert.equal(landmarksLookSane(ARCFACE_TEMPLATE_112.map(([x, y]): Point => [x + 200, y]), box), false);
  });

  it('rejects fewer than five points', () => {
    assert.equal(landmarksLookSane(ARCFACE_TEMPLATE_112.slice(0, 3), box), false);
  });
});
