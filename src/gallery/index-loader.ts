import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FaceBatch } from '../db/face-index-source.js';
import { applyChanges } from './apply-changes.js';
import { buildHnswInChild } from './hnsw-build.js';
import { keyOf, type IndexKey } from './index-key.js';
import type { LoadProgress } from './index-slot.js';
import type { KeyQueues } from './key-queues.js';
import type { IndexSnapshots } from './snapshots.js';
import { TenantIndex } from './tenant-index.js';
import type { TenantIndexesOptions } from './tenant-indexes-options.js';

/** A load that keeps finding the log compacted past its start gives up after this many tries. */
const MAX_BUILD_ATTEMPTS = 3;

/** Hands a finished index to its key's slot, inside the key's queue (see IndexLoader.build). */
export type Install = (index: TenantIndex) => void;

/** Where an index comes from: the newest snapshot, or a build from the database (HNSW in a child process). */
export class IndexLoader {
  constructor(
    private readonly options: TenantIndexesOptions,
    private readonly snapshots: IndexSnapshots | null,
    private readonly queues: KeyQueues,
  ) {}

  /**
   * Reads the change-log position first, then the faces, then catches up under the key's queue:
   * a change committed while the faces stream is either in the stream, in the catch-up, or both
   * (adds are idempotent), never in neither. `install` runs in the same queued task as the final
   * catch-up, so no refresh can slip between them and be applied to the wrong index. If the log
   * was compacted past the start meanwhile, the catch-up cannot be complete: the load starts over.
   */
  async build(key: IndexKey, progress: LoadProgress, install: Install, kind?: TenantIndex['kind']): Promise<TenantIndex> {
    const { source, index: indexOptions, loadBatchSize } = this.options;
    for (let attempt = 1; ; attempt++) {
      const seq = await source.maxChangeSeq(key);
      progress.fromSeq = seq;
      progress.faces = 0;
      progress.expected = await source.countSearchable(key);
      const target = kind ?? TenantIndex.kindFor(progress.expected, indexOptions);
      const stream = source.streamSearchable(key, loadBatchSize);
      let index: TenantIndex | null = null;
      if (target === 'hnsw' && this.options.hnswBuildInChild) index = await this.buildInChild(key, seq, stream, progress);
      if (index === null) {
        index = new TenantIndex(target, seq, indexOptions);
        for await (const batch of stream) progress.faces += await index.add(batch);
      }
      const candidate = index;
      const built = await this.queues.run(keyOf(key), async () => {
        const { missed } = await applyChanges(candidate, source, key);
        if (missed && attempt < MAX_BUILD_ATTEMPTS) return null;
        // Still missing changes after the last try: installed, it is rebuilt at its next refresh.
        install(candidate);
        return candidate;
      });
      if (built) return built;
    }
  }

  /**
   * The newest snapshot caught up with the change log after its sequence, installed like a
   * build's result; null when there is none or it was refused (reported, and the caller rebuilds).
   */
  async restore(key: IndexKey, install: Install): Promise<TenantIndex | null> {
    const snapshots = this.snapshots;
    if (snapshots === null) return null;
    const loaded = await snapshots.load(key, this.options.index);
    if (!loaded.found) return null;
    const { index } = loaded;
    return this.queues.run(keyOf(key), async () => {
      // A snapshot older than the compacted log cannot be caught up: rebuild from the faces.
      const { missed } = await applyChanges(index, this.options.source, key);
      if (missed || !(await snapshots.verifyCount(key, index, this.options.source))) return null;
      install(index);
      return index;
    });
  }

  /** An HNSW build in a child process; its output file becomes the snapshot when one is wanted. Null for no faces. */
  private async buildInChild(key: IndexKey, seq: bigint, stream: AsyncIterable<FaceBatch>, progress: LoadProgress): Promise<TenantIndex | null> {
    const snapshots = this.snapshots;
    const file = snapshots ? await snapshots.stagingPath() : path.join(tmpdir(), `visage-build-${randomUUID()}.faiss`);
    let built;
    try {
      built = await buildHnswInChild(stream, file, seq, this.options.index, (faces) => (progress.faces = faces));
    } catch (error) {
      await unlink(file).catch(() => undefined);
      throw error;
    }
    if (built && snapshots?.wants(built.index)) {
      void snapshots.adopt(key, file, seq, built);
    } else {
      await unlink(file).catch(() => undefined);
    }
    return built?.index ?? null;
  }
}
