import type { FaceBatch } from '../../src/db/face-index-source.js';

/**
 * Seeded synthetic galleries of unit 512-d vectors for bench:index.
 *
 * "clustered" is shaped like face embeddings: people with 3 to 20 faces each, every face its
 * person's centre plus noise (same-person L2 ≈ 0.8, as the real model's genuine pairs), distinct
 * people near √2 apart; queries are new noisy faces of enrolled people. "iid" is uniform on the
 * sphere with random queries: no neighbourhoods for a graph to follow, a worst case for HNSW.
 */
export const DIM = 512;
const NOISE = 0.025; // per dimension: ‖noise‖ ≈ 0.57, so same-person L2 ≈ 0.8
const MIN_FACES = 3;
const MAX_FACES = 20;

export type DataShape = 'clustered' | 'iid';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function normalise(v: Float32Array, offset: number): void {
  let s = 0;
  for (let j = 0; j < DIM; j++) s += v[offset + j]! ** 2;
  s = Math.sqrt(s);
  for (let j = 0; j < DIM; j++) v[offset + j]! /= s;
}

function centre(seed: number, person: number): Float32Array {
  const next = rng(1_000_003 * person + seed);
  const c = new Float32Array(DIM);
  for (let j = 0; j < DIM; j++) c[j] = gaussian(next);
  normalise(c, 0);
  return c;
}

/** One gallery of `n` faces: vectors, ids and owners, generated once and sliced into batches. */
export class SyntheticGallery {
  readonly vectors: Float32Array;
  readonly faceIds: string[];
  readonly personIds: string[];
  /** Person number of each face (clustered only). */
  private readonly personOf: Int32Array;
  readonly people: number;

  constructor(
    readonly n: number,
    readonly shape: DataShape,
    readonly seed = 7,
  ) {
    this.vectors = new Float32Array(n * DIM);
    this.faceIds = new Array<string>(n);
    this.personIds = new Array<string>(n);
    this.personOf = new Int32Array(n);
    const sizes = rng(seed * 31 + 1);
    let person = -1;
    let left = 0;
    let c: Float32Array | null = null;
    for (let i = 0; i < n; i++) {
      if (left === 0) {
        person++;
        left = MIN_FACES + Math.floor(sizes() * (MAX_FACES - MIN_FACES + 1));
        c = shape === 'clustered' ? centre(seed, person) : null;
      }
      left--;
      const next = rng(seed * 7919 + i * 2 + 1);
      for (let j = 0; j < DIM; j++) this.vectors[i * DIM + j] = c ? c[j]! + NOISE * gaussian(next) : gaussian(next);
      normalise(this.vectors, i * DIM);
      this.faceIds[i] = String(i + 1);
      this.personIds[i] = `p${seed}-${person}`;
      this.personOf[i] = person;
    }
    this.people = person + 1;
  }

  /** Faces [start, start + size), sharing this gallery's memory. */
  batch(start: number, size: number): FaceBatch {
    const end = Math.min(this.n, start + size);
    return { faceIds: this.faceIds.slice(start, end), personIds: this.personIds.slice(start, end), vectors: this.vectors.subarray(start * DIM, end * DIM), dim: DIM };
  }

  async *batches(size: number): AsyncGenerator<FaceBatch> {
    for (let start = 0; start < this.n; start += size) yield this.batch(start, size);
  }

  /** New faces of enrolled people (clustered) or random directions (iid). */
  queries(count: number): Float32Array[] {
    const next = rng(this.seed * 424242 + 1);
    return Array.from({ length: count }, () => {
      const q = new Float32Array(DIM);
      const c = this.shape === 'clustered' ? centre(this.seed, this.personOf[Math.floor(next() * this.n)]!) : null;
      for (let j = 0; j < DIM; j++) q[j] = c ? c[j]! + NOISE * gaussian(next) : gaussian(next);
      normalise(q, 0);
      return q;
    });
  }
}
