import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iou, nonMaxSuppression } from '../../src/vision/nms.js';

const box = (x: number, y: number, width = 10, height = 10) => ({ x, y, width, height });

describe('iou', () => {
  it('is 1 for identical boxes, 0 for disjoint ones, and exact for a half overlap', () => {
    assert.equal(iou(box(0, 0), box(0, 0)), 1);
    assert.equal(iou(box(0, 0), box(20, 20)), 0);
    // Overlap 5×10 = 50, union 150.
    assert.equal(iou(box(0, 0), box(5, 0)), 50 / 150);
  });

  it('treats touching edges as no overlap', () => {
    assert.equal(iou(box(0, 0), box(10, 0)), 0);
  });
});

describe('nonMaxSuppression', () => {
  it('keeps the higher-scoring of two heavily overlapping boxes', () => {
    const kept = nonMaxSuppression([{ box: box(1, 0), score: 0.8 }, { box: box(0, 0), score: 0.9 }], 0.3);
    assert.deepEqual(kept, [{ box: box(0, 0), score: 0.9 }]);
  });

  it('keeps separate faces and returns them by score, highest first', () => {
    const kept = nonMaxSuppression(
      [
        { box: box(0, 0), score: 0.7 },
        { box: box(50, 0), score: 0.95 },
        { box: box(100, 0), score: 0.8 },
      ],
      0.3,
    );
    assert.deepEqual(kept.map((k) => k.score), [0.95, 0.8, 0.7]);
  });

  it('keeps a box whose overlap is at or below the threshold and drops one above it', () => {
    // IoU of box(0,0) and box(5,0) is 1/3.
    assert.equal(nonMaxSuppression([{ box: box(0, 0), score: 1 }, { box: box(5, 0), score: 0.5 }], 0.34).length, 2);
    assert.equal(nonMaxSuppression([{ box: box(0, 0), score: 1 }, { box: box(5, 0), score: 0.5 }], 0.33).length, 1);
  });

  it('suppresses against kept boxes only: a chain A–B–C keeps A and C', () => {
    // B overlaps both, but once B is suppressed by A it no longer suppresses C.
    const kept = nonMaxSuppression(
      [
        { box: box(0, 0), score: 0.9 },
        { box: box(4, 0), score: 0.8 },
        { box: box(8, 0), score: 0.7 },
      ],
      0.3,
    );
    assert.deepEqual(kept.map((k) => k.score), [0.9, 0.7]);
  });

  it('returns nothing for no candidates', () => {
    assert.deepEqual(nonMaxSuppression([], 0.3), []);
  });
});
