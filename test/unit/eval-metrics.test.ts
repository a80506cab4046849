import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confusionMatrix, perClassScores, scorePredictions } from '../../src/eval/metrics.js';
import { seededRandom } from '../../src/eval/seeded-random.js';

// Labels: 0 = A, 1 = B, 2 = Unknown.
//   truth: A A A B B U U
//   pred:  A A B B U U A
const truth = [0, 0, 0, 1, 1, 2, 2];
const pred = [0, 0, 1, 1, 2, 2, 0];
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

describe('evaluation metrics on a hand-computed confusion matrix', () => {
  it('builds counts[truth][pred]', () => {
    assert.deepEqual(confusionMatrix(truth, pred, 3), [
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
  });

  it('counts one-vs-rest TP/FP/FN/TN per class, Unknown included', () => {
    const [a, b, u] = perClassScores(truth, pred, 3);
    assert.deepEqual([a!.tp, a!.fp, a!.fn, a!.tn, a!.support], [2, 1, 1, 3, 3]);
    assert.deepEqual([b!.tp, b!.fp, b!.fn, b!.tn, b!.support], [1, 1, 1, 4, 2]);
    assert.deepEqual([u!.tp, u!.fp, u!.fn, u!.tn, u!.support], [1, 1, 1, 4, 2]);
    close(a!.precision, 2 / 3);
    close(a!.recall, 2 / 3);
    close(b!.f1, 0.5);
  });

  it('sums the per-class counts into micro precision, recall and F1', () => {
    const m = scorePredictions(truth, pred, 2);
    assert.deepEqual([m.tp, m.fp, m.fn, m.tn], [4, 3, 3, 11]);
    close(m.precision, 4 / 7);
    close(m.recall, 4 / 7);
    close(m.f1, 4 / 7);
  });

  it('averages per-class F1 into macro F1', () => {
    close(scorePredictions(truth, pred, 2).macroF1, (2 / 3 + 0.5 + 0.5) / 3);
  });

  it('reports known accuracy, unknown rejection and the precision of named answers', () => {
    const m = scorePredictions(truth, pred, 2);
    close(m.knownAccuracy, 3 / 5);
    close(m.unknownRejection!, 1 / 2);
    close(m.matchPrecision, 3 / 5);
  });

  it('gives no unknown rejection when there are no unknown probes', () => {
    assert.equal(scorePredictions([0, 1], [0, 2], 2).unknownRejection, null);
  });

  it('leaves classes without probes or predictions out of macro F1', () => {
    // Class 1 is enrolled but never asked nor answered; Unknown is neither.
    const m = scorePredictions([0, 0, 2], [0, 0, 2], 3);
    close(m.macroF1, 1);
  });

  it('has micro precision equal to micro recall whenever every probe gets exactly one label', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 200; trial++) {
      const labels = 2 + Math.floor(random() * 8);
      const n = 1 + Math.floor(random() * 60);
      const t = Array.from({ length: n }, () => Math.floor(random() * labels));
      const p = Array.from({ length: n }, () => Math.floor(random() * labels));
      const m = scorePredictions(t, p, labels - 1);
      assert.equal(m.fp, m.fn);
      close(m.precision, m.recall);
      assert.equal(m.tp + m.fp + m.fn + m.tn, n * labels);
    }
  });
});
