import { badInput } from '../errors.js';
import type { Neighbour } from '../search/index.js';
import { classifyFace } from '../identify/vote.js';
import { scorePredictions, type PointMetrics } from './metrics.js';

export interface GridSpec {
  pairs: { k1: number; k2: number }[];
  /** Ascending. */
  thresholds: number[];
}

export interface GridRow extends PointMetrics {
  k1: number;
  k2: number;
  threshold: number;
}

/** The paper's grid: k1 1..9, k2 2..10 with k2 > k1, thresholds minThreshold..maxThreshold by step. */
export function defaultGrid(maxThreshold = 1.5, minThreshold = 0.5, step = 0.01): GridSpec {
  if (!(maxThreshold >= minThreshold)) throw badInput('max-threshold', `--max-threshold must be >= ${minThreshold}`);
  const pairs: GridSpec['pairs'] = [];
  for (let k1 = 1; k1 <= 9; k1++) for (let k2 = Math.max(2, k1 + 1); k2 <= 10; k2++) pairs.push({ k1, k2 });
  const thresholds: number[] = [];
  // Integer steps then rounding, so 0.5 + 70 steps prints as 1.2 and not 1.2000000000000002.
  const count = Math.floor((maxThreshold - minThreshold) / step + 1e-9);
  for (let i = 0; i <= count; i++) thresholds.push(Math.round((minThreshold + i * step) * 1e6) / 1e6);
  return { pairs, thresholds };
}

export const maxK2 = (grid: GridSpec): number => Math.max(...grid.pairs.map((p) => p.k2));

/**
 * Predicted label index of every probe at every threshold of one (k1, k2) pair: preds[t][probe].
 * Each probe's neighbours must come nearest first, as FAISS returns them.
 *
 * classifyFace is called unchanged, but not at every threshold: its answer depends on the threshold
 * only through which of the k2 neighbour distances it admits, so between two neighbour distances the
 * answer cannot change and is reused. That keeps the full grid within a second or two.
 */
export function predictAcrossThresholds(
  neighbours: readonly (readonly Neighbour[])[],
  labelIndex: ReadonlyMap<string, number>,
  unknownLabel: number,
  k1: number,
  k2: number,
  thresholds: readonly number[],
): Int32Array[] {
  const preds = thresholds.map(() => new Int32Array(neighbours.length));
  neighbours.forEach((all, probe) => {
    const window = all.slice(0, k2);
    let lastKey = -1;
    let last = unknownLabel;
    // Thresholds ascend and the window is sorted, so both counts only move forward.
    let below = 0;
    let atOrBelow = 0;
    for (let t = 0; t < thresholds.length; t++) {
      const threshold = thresholds[t]!;
      while (below < window.length && window[below]!.distance < threshold) below += 1;
      while (atOrBelow < window.length && window[atOrBelow]!.distance <= threshold) atOrBelow += 1;
      const key = below * 64 + atOrBelow;
      if (key !== lastKey) {
        const result = classifyFace(window, { k1, k2, threshold });
        last = result.decision === 'MATCH' ? labelIndex.get(result.label)! : unknownLabel;
        lastKey = key;
      }
      preds[t]![probe] = last;
    }
  });
  return preds;
}

/** Scores every grid point. `truth[i]` is the class index of probe i, or `unknownLabel`. */
export function sweepGrid(
  neighbours: readonly (readonly Neighbour[])[],
  truth: Int32Array,
  labelIndex: ReadonlyMap<string, number>,
  grid: GridSpec,
): GridRow[] {
  const unknownLabel = labelIndex.size;
  const rows: GridRow[] = [];
  for (const { k1, k2 } of grid.pairs) {
    const preds = predictAcrossThresholds(neighbours, labelIndex, unknownLabel, k1, k2, grid.thresholds);
    grid.thresholds.forEach((threshold, t) => rows.push({ k1, k2, threshold, ...scorePredictions(truth, preds[t]!, unknownLabel) }));
  }
  return rows;
}

/** Best by micro F1; ties go to the smaller k2, then the smaller threshold, then the smaller k1. */
export function bestRow(rows: readonly GridRow[]): GridRow {
  if (rows.length === 0) throw badInput('grid', 'The grid is empty');
  return rows.reduce((best, r) => {
    if (r.f1 !== best.f1) return r.f1 > best.f1 ? r : best;
    if (r.k2 !== best.k2) return r.k2 < best.k2 ? r : best;
    if (r.threshold !== best.threshold) return r.threshold < best.threshold ? r : best;
    return r.k1 < best.k1 ? r : best;
  });
}

/**
 * At the best k1/k2: the threshold maximising the mean of known accuracy and unknown rejection
 * (known accuracy alone when there are no unknown probes); ties to the smaller, stricter threshold.
 */
export function balancedRow(rows: readonly GridRow[], k1: number, k2: number): GridRow {
  const score = (r: GridRow) => (r.unknownRejection === null ? r.knownAccuracy : (r.knownAccuracy + r.unknownRejection) / 2);
  const candidates = rows.filter((r) => r.k1 === k1 && r.k2 === k2);
  if (candidates.length === 0) throw badInput('grid', `No grid rows for k1=${k1}, k2=${k2}`);
  return candidates.reduce((best, r) => (score(r) > score(best) || (score(r) === score(best) && r.threshold < best.threshold) ? r : best));
}

/**
 * Nearest-neighbour accuracy on known probes, with no threshold and no vote. A probe without a face
 * counts as wrong; unknown probes (label null) are not counted.
 */
export function rankOneAccuracy(neighbours: readonly (readonly Neighbour[])[], truth: readonly (string | null)[]): number {
  let known = 0;
  let right = 0;
  truth.forEach((label, i) => {
    if (label === null) return;
    known += 1;
    if (neighbours[i]?.[0]?.label === label) right += 1;
  });
  return known === 0 ? 0 : right / known;
}
