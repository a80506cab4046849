import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { balancedRow, bestRow, defaultGrid, predictAcrossThresholds, rankOneAccuracy, sweepGrid, type GridRow } from '../../src/eval/grid.js';
import { seededRandom } from '../../src/eval/seeded-random.js';
import { classifyFace } from '../../src/identify/vote.js';
import type { Neighbour } from '../../src/search/index.js';

const classes = ['a', 'b', 'c', 'd'];
const labelIndex = new Map(classes.map((c, i) => [c, i]));

function randomNeighbours(seed: number, probes: number): Neighbour[][] {
  const random = seededRandom(seed);
  return Array.from({ length: probes }, () => {
    const list = Array.from({ length: 10 }, () => ({
      label: classes[Math.floor(random() * classes.length)]!,
      // Some distances land exactly on grid thresholds, where < and <= differ.
      distance: random() < 0.3 ? Math.round((0.5 + random()) * 100) / 100 : 0.4 + random() * 1.2,
    }));
    return list.sort((x, y) => x.distance - y.distance);
  });
}

describe('evaluation grid', () => {
  it("spans the paper's grid: k1 1..9, k2 2..10 with k2 > k1, thresholds 0.50..1.50 by 0.01", () => {
    const grid = defaultGrid();
    assert.equal(grid.pairs.length, 45);
    assert.ok(grid.pairs.every(({ k1, k2 }) => k1 >= 1 && k1 <= 9 && k2 >= 2 && k2 <= 10 && k2 > k1));
    assert.equal(grid.thresholds.length, 101);
    assert.equal(grid.thresholds[0], 0.5);
    assert.equal(grid.thresholds[70], 1.2);
    assert.equal(grid.thresholds.at(-1), 1.5);
    assert.equal(defaultGrid(1.0).thresholds.at(-1), 1.0);
  });

  it('predicts exactly what classifyFace answers at every threshold', () => {
    const neighbours = randomNeighbours(5, 150);
    const thresholds = defaultGrid().thresholds;
    for (const [k1, k2] of [[1, 2], [2, 5], [3, 4], [4, 10], [9, 10]] as const) {
      const preds = predictAcrossThresholds(neighbours, labelIndex, 4, k1, k2, thresholds);
      thresholds.forEach((threshold, t) => {
        neighbours.forEach((list, p) => {
          const r = classifyFace(list.slice(0, k2), { k1, k2, threshold });
          const expected = r.decision === 'MATCH' ? labelIndex.get(r.label)! : 4;
          assert.equal(preds[t]![p], expected, `k1=${k1} k2=${k2} t=${threshold} probe=${p}`);
        });
      });
    }
  });

  it('answers Unknown for a probe without neighbours (no face found)', () => {
    const [pred] = predictAcrossThresholds([[]], labelIndex, 4, 1, 2, [1.5]);
    assert.equal(pred![0], 4);
  });

  it('scores one row per grid point', () => {
    const neighbours = randomNeighbours(9, 40);
    const truth = Int32Array.from(neighbours, (_, i) => i % 5);
    const rows = sweepGrid(neighbours, truth, labelIndex, defaultGrid());
    assert.equal(rows.length, 45 * 101);
    assert.ok(rows.every((r) => r.precision === r.recall));
  });

  it('picks the best F1, ties to the smaller k2, then the smaller threshold', () => {
    const row = (k1: number, k2: number, threshold: number, f1: number) => ({ k1, k2, threshold, f1 }) as GridRow;
    const best = bestRow([row(1, 3, 0.7, 0.9), row(2, 4, 0.6, 0.9), row(1, 2, 0.9, 0.9), row(1, 2, 0.8, 0.9), row(5, 9, 1.0, 0.8)]);
    assert.deepEqual([best.k1, best.k2, best.threshold], [1, 2, 0.8]);
  });

  it('balances known accuracy against unknown rejection at the best k1/k2', () => {
    const row = (threshold: number, knownAccuracy: number, unknownRejection: number) =>
      ({ k1: 1, k2: 2, threshold, knownAccuracy, unknownRejection }) as GridRow;
    // The loosest threshold knows everyone but lets every stranger in.
    const rows = [row(0.8, 0.7, 1), row(0.9, 0.9, 0.95), row(1.0, 0.97, 0.5), row(1.4, 1, 0)];
    assert.equal(balancedRow(rows, 1, 2).threshold, 0.9);
  });

  it('measures rank-1 accuracy on known probes only, a probe without a face counting as wrong', () => {
    const n = (label: string): Neighbour[] => [{ label, distance: 1.3 }];
    assert.equal(rankOneAccuracy([n('a'), n('b'), [], n('a')], ['a', 'a', 'c', null]), 1 / 3);
  });
});
