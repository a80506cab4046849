import { seededRandom } from './seeded-random.js';

/**
 * Projects rows onto their first `components` principal axes. Power iteration with deflation on the
 * centred data (v ← Xᵀ(Xv)), never forming the d×d covariance: for a few hundred 512-d rows and two
 * components that is a few million multiply-adds per iteration.
 */
export interface Projection {
  points: number[][];
  /** Share of the total variance along each axis (0..1). */
  explained: number[];
}

export function pcaProject(rows: readonly Float32Array[], components = 2, iterations = 200): Projection {
  const n = rows.length;
  if (n === 0) return { points: [], explained: [] };
  const d = rows[0]!.length;
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  const x = rows.map((r) => Float64Array.from(r, (v, j) => v - mean[j]!));

  const axes: Float64Array[] = [];
  const random = seededRandom(7);
  for (let c = 0; c < components; c++) {
    let v = Float64Array.from({ length: d }, () => random() - 0.5);
    for (let it = 0; it < iterations; it++) {
      const next = new Float64Array(d);
      for (const row of x) {
        const s = dot(row, v);
        for (let j = 0; j < d; j++) next[j]! += s * row[j]!;
      }
      // Deflation: stay orthogonal to the axes already found.
      for (const a of axes) {
        const s = dot(next, a);
        for (let j = 0; j < d; j++) next[j]! -= s * a[j]!;
      }
      const norm = Math.sqrt(dot(next, next));
      if (norm === 0) break;
      for (let j = 0; j < d; j++) next[j]! /= norm;
      const converged = Math.abs(Math.abs(dot(next, v)) - 1) < 1e-12;
      v = next;
      if (converged) break;
    }
    // Fix the sign so the picture does not mirror between runs.
    let largest = 0;
    for (let j = 0; j < d; j++) if (Math.abs(v[j]!) > Math.abs(v[largest]!)) largest = j;
    if (v[largest]! < 0) for (let j = 0; j < d; j++) v[j] = -v[j]!;
    axes.push(v);
  }
  const points = x.map((row) => axes.map((a) => dot(row, a)));
  const total = x.reduce((sum, row) => sum + dot(row, row), 0);
  const explained = axes.map((_, c) => (total === 0 ? 0 : points.reduce((s, p) => s + p[c]! ** 2, 0) / total));
  return { points, explained };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
