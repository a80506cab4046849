import type { TenantIndex } from '../../src/gallery/index.js';

export interface Searched {
  p50: number;
  results: string[][];
  /** Per query, the hits within the threshold: the faces classifyFace lets vote. */
  voters: string[][];
}

/** k = 10 searches of every query through TenantIndex.search, timed one by one. */
export function searchAll(index: TenantIndex, qs: readonly Float32Array[], threshold: number): Searched {
  const times: number[] = [];
  const hits = qs.map((q) => {
    const t = performance.now();
    const found = index.search(q, 10);
    times.push(performance.now() - t);
    return found;
  });
  times.sort((a, b) => a - b);
  return {
    p50: Number(times[Math.floor(times.length / 2)]!.toFixed(2)),
    results: hits.map((h) => h.map((x) => x.faceId)),
    voters: hits.map((h) => h.filter((x) => x.distance <= threshold).map((x) => x.faceId)),
  };
}

/** Share of the `truth` ids found in the same query's `found` list. */
export function recall(truth: readonly string[][], found: readonly string[][]): number {
  let hit = 0;
  let total = 0;
  truth.forEach((t, i) => {
    const s = new Set(found[i]);
    total += t.length;
    for (const id of t) if (s.has(id)) hit++;
  });
  return total === 0 ? 1 : Number((hit / total).toFixed(3));
}
