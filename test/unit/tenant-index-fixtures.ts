import type { FaceBatch } from '../../src/db/face-index-source.js';

/** Deterministic unit vectors (seeded), so a failing case can be replayed. */
export function randomUnitVectors(n: number, dim: number, seed: number): Float32Array {
  let state = seed * 2654435761 + 1;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = next();
      out[i * dim + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= norm;
  }
  return out;
}

/** Face ids are firstId, firstId+1, … in row order. */
export function batchOf(
  vectors: Float32Array,
  dim: number,
  personOf: (row: number) => string = (row) => `person-${row}`,
  firstId = 1,
): FaceBatch {
  const n = vectors.length / dim;
  return {
    faceIds: Array.from({ length: n }, (_, i) => String(firstId + i)),
    personIds: Array.from({ length: n }, (_, i) => personOf(i)),
    vectors,
    dim,
  };
}

export function bruteForce(
  vectors: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
): { row: number; distance: number }[] {
  const all = [];
  for (let row = 0; row < vectors.length / dim; row++) {
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += (vectors[row * dim + j]! - query[j]!) ** 2;
    all.push({ row, distance: Math.sqrt(sum) });
  }
  return all.sort((a, b) => a.distance - b.distance).slice(0, k);
}
