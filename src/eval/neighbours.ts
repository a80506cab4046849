import { createRequire } from 'node:module';
import { AppError } from '../errors.js';
import type { Neighbour } from '../search/index.js';

type FaissModule = typeof import('faiss-node');

let faiss: FaissModule | undefined;

// Loaded on first use so that a machine without the native addon fails with a hint, not at import.
function loadFaiss(): FaissModule {
  if (faiss) return faiss;
  try {
    faiss = createRequire(import.meta.url)('faiss-node') as FaissModule;
    return faiss;
  } catch (err) {
    throw new AppError('INDEX_UNAVAILABLE', `faiss-node's native addon cannot be loaded (${(err as Error).message.split('\n')[0]})`);
  }
}

export interface GalleryEntry {
  label: string;
  embedding: Float32Array;
}

/**
 * The k nearest gallery entries of every probe, nearest first, from one batched FAISS IndexFlatL2
 * search (the server's index type). FAISS returns squared L2; classifyFace expects L2. A probe
 * without an embedding (no face found) gets no neighbours, which classifyFace answers UNKNOWN.
 */
export function searchNeighbours(gallery: readonly GalleryEntry[], probes: readonly (Float32Array | null)[], k: number): Neighbour[][] {
  const result: Neighbour[][] = probes.map(() => []);
  const first = gallery[0];
  if (first === undefined) return result;
  const dim = first.embedding.length;
  const { IndexFlatL2 } = loadFaiss();
  const index = new IndexFlatL2(dim);
  const flat: number[] = new Array(gallery.length * dim);
  gallery.forEach((g, i) => {
    for (let j = 0; j < dim; j++) flat[i * dim + j] = g.embedding[j]!;
  });
  index.add(flat);

  const kk = Math.min(k, gallery.length);
  const present = probes.flatMap((p, i) => (p === null ? [] : [i]));
  if (present.length === 0) return result;
  const queries: number[] = new Array(present.length * dim);
  present.forEach((probe, q) => {
    const v = probes[probe]!;
    for (let j = 0; j < dim; j++) queries[q * dim + j] = v[j]!;
  });
  const { distances, labels } = index.search(queries, kk);
  present.forEach((probe, q) => {
    const list: Neighbour[] = [];
    for (let r = 0; r < kk; r++) {
      const id = labels[q * kk + r]!;
      if (id < 0) continue;
      list.push({ label: gallery[id]!.label, distance: Math.sqrt(Math.max(0, distances[q * kk + r]!)) });
    }
    result[probe] = list;
  });
  return result;
}
