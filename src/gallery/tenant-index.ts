import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FaceBatch } from '../db/face-index-source.js';
import type { FaceHit } from '../search/index.js';
import { CONFIG_DEFAULTS } from '../config/index.js';
import { createHnswIndex, flatIndexFromVectors, HNSW_VALUE_BYTES, withHnswEfSearch, type FaissIndex, type HnswParams } from './faiss-buffers.js';

export type IndexKind = 'flat' | 'hnsw';

export interface TenantIndexOptions {
  /** A tenant with more faces than this is built as HNSW instead of exact flat search. */
  hnswAbove: number;
  hnsw: HnswParams;
  /** HNSW cannot delete: deleted faces stay as tombstones until their share passes this. */
  maxTombstoneShare: number;
  /** Vectors per HNSW add call: bounds how long one call blocks the event loop (~0.6 ms each). */
  hnswAddChunk: number;
  /** Vectors per flat add: a copy into faiss, ~1-1.5 ms per 1,000 at 512-d, blocking the event loop that long. */
  flatAddChunk: number;
}

export const DEFAULT_TENANT_INDEX_OPTIONS: TenantIndexOptions = {
  hnswAbove: CONFIG_DEFAULTS.hnswThreshold,
  hnsw: { m: CONFIG_DEFAULTS.hnswM, efConstruction: CONFIG_DEFAULTS.hnswEfConstruction, efSearch: CONFIG_DEFAULTS.hnswEfSearch, storage: CONFIG_DEFAULTS.hnswStorage },
  maxTombstoneShare: 0.2,
  hnswAddChunk: 200,
  flatAddChunk: 5_000,
};

const RESTORE_TURN = 8_192;

/** Everything an index is, for a snapshot: the FAISS index plus the id map beside it. */
export interface IndexContents {
  faiss: FaissIndex;
  dim: number;
  labelFace: readonly string[];
  labelPerson: readonly string[];
  /** HNSW tombstones (labels still in the graph); always empty for flat. */
  dead: readonly number[];
}

/** Why an index should be rebuilt from the database, or null when it is fine as it is. */
export type RebuildReason = 'grown-past-flat' | 'shrunk-below-hnsw' | 'tombstones' | 'missed-changes' | null;

/**
 * One (tenant, model) gallery: a FAISS index plus the id map beside it. FAISS labels are insertion
 * positions, so `labelFace[label]` / `labelPerson[label]` name the face, and `faceLabel` finds a
 * face's label for deletes and makes adds idempotent (a change may be applied twice by sync).
 */
export class TenantIndex {
  readonly kind: IndexKind;
  /** Highest FaceChange.seq reflected in this index (read before the build's first face). */
  appliedSeq: bigint;
  /** The change log was compacted past appliedSeq before this index applied it: only a reload is right. */
  missedChanges = false;
  private readonly options: TenantIndexOptions;
  private faiss: FaissIndex | null = null;
  private dim: number | null = null;
  private labelFace: string[] = [];
  private labelPerson: string[] = [];
  private readonly faceLabel = new Map<string, number>();
  /** HNSW only: labels of deleted faces, still in the graph. */
  private readonly dead = new Set<number>();

  constructor(kind: IndexKind, appliedSeq: bigint, options: TenantIndexOptions = DEFAULT_TENANT_INDEX_OPTIONS) {
    this.kind = kind;
    this.appliedSeq = appliedSeq;
    this.options = options;
  }

  /**
   * An index from snapshot contents (or a worker's build): the id map is trusted as given. The
   * face lookup is built in turns of RESTORE_TURN labels (in one piece it held the event loop for
   * 89 ms at 300k faces, bench:index-read), so other tenants are served meanwhile.
   */
  static async restore(kind: IndexKind, appliedSeq: bigint, contents: IndexContents, options: TenantIndexOptions = DEFAULT_TENANT_INDEX_OPTIONS): Promise<TenantIndex> {
    const index = new TenantIndex(kind, appliedSeq, options);
    index.faiss = contents.faiss;
    index.dim = contents.dim;
    index.labelFace = [...contents.labelFace];
    index.labelPerson = [...contents.labelPerson];
    for (const label of contents.dead) index.dead.add(label);
    for (let from = 0; from < index.labelFace.length; from += RESTORE_TURN) {
      if (from > 0) await nextTurn();
      const to = Math.min(from + RESTORE_TURN, index.labelFace.length);
      for (let label = from; label < to; label++) if (!index.dead.has(label)) index.faceLabel.set(index.labelFace[label]!, label);
    }
    return index;
  }

  /**
   * The current contents, or null for an index that never held a vector. The id map is copied,
   * so a snapshot taken in one synchronous step stays consistent while the index changes on.
   */
  contents(): IndexContents | null {
    if (this.faiss === null || this.dim === null) return null;
    return { faiss: this.faiss, dim: this.dim, labelFace: [...this.labelFace], labelPerson: [...this.labelPerson], dead: [...this.dead] };
  }

  /** The kind a gallery of `faces` faces should use. */
  static kindFor(faces: number, options: TenantIndexOptions = DEFAULT_TENANT_INDEX_OPTIONS): IndexKind {
    return faces > options.hnswAbove ? 'hnsw' : 'flat';
  }

  /** Live (searchable) faces. */
  get size(): number {
    return this.faceLabel.size;
  }

  get dimension(): number | null {
    return this.dim;
  }

  has(faceId: string): boolean {
    return this.faceLabel.has(faceId);
  }

  /** Approximate resident bytes: vectors (HNSW_VALUE_BYTES a value in HNSW), HNSW links (2·m per vector on level 0) and the id map. */
  estimatedBytes(): number {
    const n = this.labelFace.length;
    const hnsw = this.kind === 'hnsw';
    const valueBytes = hnsw ? HNSW_VALUE_BYTES[this.options.hnsw.storage ?? 'flat'] : 4;
    const perVector = (this.dim ?? 0) * valueBytes + (hnsw ? this.options.hnsw.m * 2 * 4 + 16 : 0);
    return n * (perVector + 120);
  }

  rebuildReason(): RebuildReason {
    if (this.missedChanges) return 'missed-changes';
    switch (this.kind) {
      case 'flat':
        return this.size > this.options.hnswAbove ? 'grown-past-flat' : null;
      case 'hnsw':
        if (this.size < this.options.hnswAbove / 2) return 'shrunk-below-hnsw';
        return this.dead.size > this.labelFace.length * this.options.maxTombstoneShare ? 'tombstones' : null;
    }
  }

  /**
   * Changes the HNSW search beam (recall against latency) of a built index. faiss-node has no
   * setter, so this re-serialises the whole index: seconds for a large one, for tuning only.
   */
  setEfSearch(efSearch: number): void {
    if (this.kind !== 'hnsw') throw new Error('efSearch applies to HNSW indexes only.');
    if (this.faiss !== null) this.faiss = withHnswEfSearch(this.faiss, efSearch);
  }

  /**
   * Adds the faces not already present; returns how many were new. Yields to the event loop
   * between chunks, because FAISS adds are synchronous and an HNSW chunk of 200 takes ~0.1 s.
   */
  async add(batch: FaceBatch): Promise<number> {
    const fresh = this.freshRows(batch);
    if (fresh.length === 0) return 0;
    const dim = this.ensureDim(batch.dim);
    const vectors = fresh.length === batch.faceIds.length ? batch.vectors : gather(batch.vectors, dim, fresh);
    const chunk = this.kind === 'hnsw' ? this.options.hnswAddChunk : this.options.flatAddChunk;
    for (let start = 0; start < fresh.length; start += chunk) {
      const end = Math.min(fresh.length, start + chunk);
      this.addVectors(vectors.subarray(start * dim, end * dim), dim);
      for (let i = start; i < end; i++) {
        const row = fresh[i]!;
        this.faceLabel.set(batch.faceIds[row]!, this.labelFace.length);
        this.labelFace.push(batch.faceIds[row]!);
        this.labelPerson.push(batch.personIds[row]!);
      }
      if (end < fresh.length) await yieldToEventLoop();
    }
    return fresh.length;
  }

  /** Removes faces by id (unknown ids are ignored); returns how many were removed. */
  remove(faceIds: readonly string[]): number {
    const labels = [...new Set(faceIds)].map((id) => this.faceLabel.get(id)).filter((l) => l !== undefined);
    if (labels.length === 0) return 0;
    switch (this.kind) {
      case 'flat':
        this.removeFlat(labels);
        break;
      case 'hnsw':
        // removeIds on HNSW aborts the process (uncatchable): tombstone instead.
        for (const label of labels) {
          this.dead.add(label);
          this.faceLabel.delete(this.labelFace[label]!);
        }
        break;
    }
    return labels.length;
  }

  /** The k nearest live faces, nearest first, with L2 (not squared) distances. */
  search(vector: Float32Array, k: number): FaceHit[] {
    const index = this.faiss;
    if (index === null || this.size === 0 || k <= 0) return [];
    if (vector.length !== this.dim) {
      throw new Error(`Query vector has ${vector.length} dimensions; this index holds ${this.dim}.`);
    }
    const query = Array.from(vector);
    const total = index.ntotal();
    const want = Math.min(k, this.size);
    // Tombstones take result slots: ask for more, in proportion to their share, and widen if short.
    let depth = Math.min(total, this.dead.size === 0 ? want : Math.ceil(want * (1 + (2 * this.dead.size) / total)) + 8);
    for (;;) {
      const hits = this.collect(index.search(query, depth), want);
      if (hits.length >= want || depth >= total) return hits;
      depth = Math.min(total, depth * 2);
    }
  }

  private collect(result: { distances: number[]; labels: number[] }, want: number): FaceHit[] {
    const hits: FaceHit[] = [];
    for (let i = 0; i < result.labels.length && hits.length < want; i++) {
      const label = result.labels[i]!;
      if (label < 0 || this.dead.has(label)) continue;
      const personId = this.labelPerson[label]!;
      // FAISS L2 indexes return squared distances; thresholds are in L2 as in the paper.
      const distance = Math.sqrt(Math.max(0, result.distances[i]!));
      hits.push({ label: personId, personId, faceId: this.labelFace[label]!, distance });
    }
    return hits;
  }

  private freshRows(batch: FaceBatch): number[] {
    const fresh: number[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < batch.faceIds.length; i++) {
      const id = batch.faceIds[i]!;
      if (!this.faceLabel.has(id) && !seen.has(id)) {
        seen.add(id);
        fresh.push(i);
      }
    }
    return fresh;
  }

  private ensureDim(dim: number): number {
    if (this.dim === null) this.dim = dim;
    else if (this.dim !== dim) throw new Error(`Cannot add ${dim}-d vectors to a ${this.dim}-d index.`);
    return dim;
  }

  private addVectors(vectors: Float32Array, dim: number): void {
    switch (this.kind) {
      case 'flat':
        if (this.faiss === null) this.faiss = flatIndexFromVectors(dim, vectors);
        else this.faiss.add(vectors);
        return;
      case 'hnsw':
        this.faiss ??= createHnswIndex(dim, this.options.hnsw);
        // A quantised store ('sq8', 'fp16') is trained on the first chunk.
        if (!this.faiss.isTrained()) this.faiss.train(vectors);
        this.faiss.add(vectors);
        return;
    }
  }

  /** Flat removeIds compacts the matrix in order, so later labels shift down: compact the map alike. */
  private removeFlat(labels: number[]): void {
    const removed = this.faiss!.removeIds(labels);
    if (removed !== labels.length) throw new Error(`FAISS removed ${removed} of ${labels.length} vectors.`);
    const gone = new Set(labels);
    const first = Math.min(...labels);
    const keptFaces = this.labelFace.slice(0, first);
    const keptPersons = this.labelPerson.slice(0, first);
    for (let label = first; label < this.labelFace.length; label++) {
      const faceId = this.labelFace[label]!;
      if (gone.has(label)) {
        this.faceLabel.delete(faceId);
        continue;
      }
      this.faceLabel.set(faceId, keptFaces.length);
      keptFaces.push(faceId);
      keptPersons.push(this.labelPerson[label]!);
    }
    this.labelFace = keptFaces;
    this.labelPerson = keptPersons;
  }
}

export function gather(vectors: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => out.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim));
  return out;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
