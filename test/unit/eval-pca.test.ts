import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pcaProject } from '../../src/eval/pca.js';
import { seededRandom } from '../../src/eval/seeded-random.js';

describe('evaluation PCA', () => {
  it('finds the axes of largest variance, largest first', () => {
    const random = seededRandom(3);
    // Spread 10 along dimension 2, 3 along dimension 0, little elsewhere.
    const rows = Array.from({ length: 300 }, () => {
      const v = Float32Array.from({ length: 6 }, () => (random() - 0.5) * 0.1);
      v[2] = (random() - 0.5) * 10;
      v[0] = (random() - 0.5) * 3;
      return v;
    });
    const { points, explained } = pcaProject(rows);
    assert.equal(points.length, 300);
    rows.forEach((r, i) => {
      assert.ok(Math.abs(Math.abs(points[i]![0]!) - Math.abs(r[2]! - mean(rows, 2))) < 0.2);
      assert.ok(Math.abs(Math.abs(points[i]![1]!) - Math.abs(r[0]! - mean(rows, 0))) < 0.2);
    });
    assert.ok(explained[0]! > 0.85 && explained[0]! > explained[1]! && explained[1]! > 0.05);
  });

  it('projects nothing from nothing', () => {
    assert.deepEqual(pcaProject([]), { points: [], explained: [] });
  });
});

function mean(rows: Float32Array[], j: number): number {
  return rows.reduce((s, r) => s + r[j]!, 0) / rows.length;
}
