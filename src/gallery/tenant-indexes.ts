import { AppError } from '../errors.js';
import { CONFIG_DEFAULTS } from '../config/index.js';
import type { FaceBatch, FaceIndexSource } from '../db/face-index-source.js';
import { applyChanges } from './apply-changes.js';
import { DEFAULT_TENANT_INDEX_OPTIONS, TenantIndex, type TenantIndexOptions } from './tenant-index.js';
import type { FaceHit } from '../search/index.js';
import { keyOf, parseKey, type IndexKey } from './index-key.js';
import { IndexSnapshots, type SnapshotEvent, type SnapshotPolicy } from './snapshots.js';
import { buildHnswInChild } from './hnsw-build.js';
import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type { IndexKey } from './index-key.js';

export interface TenantIndexesOptions {
  source: FaceIndexSource;
  index: TenantIndexOptions;
  /** How long a request waits for a loading index before INDEX_UNAVAILABLE. */
  loadWaitMs: number;
  /** After a failed load, requests fail fast for this long before a new load is tried. */
  retryFailedAfterMs: number;
  /** Least recently used indexes are dropped while the total estimate exceeds this; 0 = no limit. */
  memoryBudgetBytes: number;
  /** Faces per database round trip while building. */
  loadBatchSize: number;
  /** HNSW builds run in a child process on all cores (false: on this thread, in small chunks). */
  hnswBuildInChild: boolean;
  /** Where snapshots are read from and written to; null: every load reads the database. */
  snapshots: SnapshotPolicy | null;
  /** Lifecycle transitions, for logs and metrics. */
  onEvent?: (event: IndexEvent) => void;
}

export type IndexEvent =
  | { type: 'loaded'; key: IndexKey; faces: number; kind: TenantIndex['kind']; ms: number; from: 'snapshot' | 'database' }
  | { type: 'load-failed'; key: IndexKey; error: unknown }
  | { type: 'rebuilt'; key: IndexKey; reason: string; faces: number; ms: number }
  | { type: 'rebuild-failed'; key: IndexKey; error: unknown }
  | { type: 'evicted'; key: IndexKey; bytes: number }
  | SnapshotEvent;

export const DEFAULT_TENANT_INDEXES_OPTIONS: Omit<TenantIndexesOptions, 'source'> = {
  index: DEFAULT_TENANT_INDEX_OPTIONS,
  loadWaitMs: CONFIG_DEFAULTS.indexWaitMs,
  retryFailedAfterMs: 5_000,
  memoryBudgetBytes: CONFIG_DEFAULTS.indexMemoryBudgetMb * 1024 * 1024,
  loadBatchSize: 5_000,
  snapshots: null,
  hnswBuildInChild: true,
};

/** A key without a slot is 'absent'. Only 'ready' and 'rebuilding' hold a searchable index. */
type Slot =
  | { state: 'loading'; done: Promise<TenantIndex>; progress: LoadProgress }
  | { state: 'ready'; index: TenantIndex; lastUsed: number }
  | { state: 'rebuilding'; index: TenantIndex; lastUsed: number; progress: LoadProgress }
  | { state: 'failed'; error: unknown; failedAt: number };

export type IndexState = Slot['state'] | 'absent';

interface LoadProgress {
  faces: number;
  expected: number;
  /** The change-log position the build started from (0 until read): what it still needs from the log. */
  fromSeq: bigint;
}

/** A load that keeps finding the log compacted past its start gives up after this many tries. */
const MAX_BUILD_ATTEMPTS = 3;

/**
 * The in-memory indexes of this process, one per (tenant, gallery, model), built lazily from the
 * database. A person in several galleries has their vectors in each of those indexes.
 * Every mutation of one key's index (change catch-up, the swap after a rebuild) runs through one
 * promise chain per key, so sync never interleaves an add with a delete. A key's slot only ever
 * holds an index of that tenant, built from rows filtered by that tenant id.
 */
export class TenantIndexes {
  private readonly options: TenantIndexesOptions;
  private readonly slots = new Map<string, Slot>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly pendingRefresh = new Map<string, Promise<void>>();
  private readonly snapshots: IndexSnapshots | null;

  constructor(options: Pick<TenantIndexesOptions, 'source'> & Partial<TenantIndexesOptions>) {
    this.options = { ...DEFAULT_TENANT_INDEXES_OPTIONS, ...options };
    const policy = this.options.snapshots;
    this.snapshots = policy ? new IndexSnapshots(policy, (event) => this.options.onEvent?.(event)) : null;
  }

  state(key: IndexKey): IndexState {
    return this.slots.get(keyOf(key))?.state ?? 'absent';
  }

  /** Keys whose index is in memory (ready or rebuilding): the ones sync keeps current. */
  loadedKeys(): IndexKey[] {
    return [...this.slots].filter(([, slot]) => hasIndex(slot)).map(([k]) => parseKey(k));
  }

  /**
   * For the change-log compaction: per key held (or being built), the seq up to which this
   * process no longer needs the log. A build in flight needs it from where its load started.
   */
  positions(): { key: IndexKey; seq: bigint }[] {
    return [...this.slots].flatMap(([k, slot]) => {
      const key = parseKey(k);
      switch (slot.state) {
        case 'ready':
          return [{ key, seq: slot.index.appliedSeq }];
        case 'rebuilding':
          return [{ key, seq: slot.index.appliedSeq < slot.progress.fromSeq ? slot.index.appliedSeq : slot.progress.fromSeq }];
        case 'loading':
          return [{ key, seq: slot.progress.fromSeq }];
        case 'failed':
          return [];
      }
    });
  }

  /** Faces in each index in memory, read at every metrics scrape so deletes show at once. */
  sizes(): (IndexKey & { faces: number })[] {
    return [...this.slots].flatMap(([k, slot]) => (hasIndex(slot) ? [{ ...parseKey(k), faces: slot.index.size }] : []));
  }

  async search(key: IndexKey, vector: Float32Array, k: number): Promise<FaceHit[]> {
    return (await this.get(key)).search(vector, k);
  }

  /** The ready index, loading it first if needed; waits at most loadWaitMs. */
  async get(key: IndexKey): Promise<TenantIndex> {
    const k = keyOf(key);
    const slot = this.slots.get(k);
    switch (slot?.state) {
      case undefined:
        return this.waitFor(key, this.startLoad(key));
      case 'loading':
        return this.waitFor(key, slot);
      case 'ready':
      case 'rebuilding':
        slot.lastUsed = Date.now();
        return slot.index;
      case 'failed':
        if (Date.now() - slot.failedAt >= this.options.retryFailedAfterMs) return this.waitFor(key, this.startLoad(key));
        throw unavailable(key, 'could not be loaded; it will be retried shortly');
    }
  }

  /** Starts loading the given keys in the background (eager start); resolves when all settled. */
  async preload(keys: readonly IndexKey[]): Promise<void> {
    await Promise.allSettled(keys.map((key) => this.get(key).catch(() => undefined)));
    await Promise.allSettled(keys.map((key) => this.loadingPromise(key)));
  }

  /**
   * Applies the change log to a loaded index (no-op for keys not in memory: they will read the
   * database when loaded). Concurrent calls coalesce into one queued catch-up.
   */
  refresh(key: IndexKey): Promise<void> {
    const k = keyOf(key);
    const current = this.slots.get(k);
    // A change may commit after the load's own catch-up has read the log: look again once loaded.
    if (current?.state === 'loading') return current.done.then(() => this.refresh(key), () => undefined);
    if (!hasIndex(current)) return Promise.resolve();
    const queued = this.pendingRefresh.get(k);
    if (queued) return queued;
    const run = this.serial(k, async () => {
      this.pendingRefresh.delete(k);
      const slot = this.slots.get(k);
      if (!hasIndex(slot)) return;
      const applied = await applyChanges(slot.index, this.options.source, key);
      const reason = slot.index.rebuildReason();
      if (reason !== null && slot.state === 'ready') this.startRebuild(key, slot.index, reason);
      else this.snapshots?.afterChanges(key, slot.index, applied.added + applied.removed, (task) => this.serial(k, task));
    });
    this.pendingRefresh.set(k, run);
    return run;
  }

  /**
   * Catches up every loaded index that is behind (or those `which` selects, such as one tenant's
   * after its own write), asking the database about all of them at once.
   */
  async refreshAll(which: (key: IndexKey) => boolean = () => true): Promise<void> {
    const keys = this.loadedKeys().filter(which);
    const latest = await this.options.source.maxChangeSeqs(keys);
    const behind = keys.filter((key, i) => {
      const slot = this.slots.get(keyOf(key));
      return hasIndex(slot) && latest[i]! > slot.index.appliedSeq;
    });
    // A load in flight may have read the log before a change committed: refresh looks again once it is ready.
    const loading = [...this.slots].filter(([, slot]) => slot.state === 'loading').map(([k]) => parseKey(k)).filter(which);
    await Promise.all([...behind, ...loading].map((key) => this.refresh(key)));
  }

  /** Forgets every index of a tenant (for example when the tenant is deleted). */
  drop(tenantId: string): void {
    for (const k of [...this.slots.keys()]) if (parseKey(k).tenantId === tenantId) this.slots.delete(k);
    this.snapshots?.forgetTenant(tenantId);
  }

  clear(): void {
    this.slots.clear();
  }

  private startLoad(key: IndexKey): Extract<Slot, { state: 'loading' }> {
    const k = keyOf(key);
    const progress: LoadProgress = { faces: 0, expected: 0, fromSeq: 0n };
    const started = Date.now();
    // Dropped or cleared while loading: the result belongs to nobody and must not resurrect.
    const current = (): boolean => this.slots.get(k) === slot;
    const install = (index: TenantIndex): void => {
      if (current()) this.slots.set(k, { state: 'ready', index, lastUsed: Date.now() });
    };
    let from: 'snapshot' | 'database' = 'database';
    const load = async (): Promise<TenantIndex> => {
      const restored = await this.restore(key, install);
      if (restored) {
        from = 'snapshot';
        return restored;
      }
      // Exact flat search serves at once; a gallery past the HNSW threshold is then built as a rebuild.
      return this.build(key, progress, install, 'flat');
    };
    const done = load().then(
      (index) => {
        this.options.onEvent?.({ type: 'loaded', key, faces: index.size, kind: index.kind, ms: Date.now() - started, from });
        this.evictOverBudget(k);
        const reason = index.rebuildReason();
        const slot = this.slots.get(k);
        if (reason !== null && slot?.state === 'ready' && slot.index === index) this.startRebuild(key, index, reason);
        else if (from === 'database') this.snapshots?.afterBuild(key, index, (task) => this.serial(k, task));
        return index;
      },
      (error: unknown) => {
        if (current()) this.slots.set(k, { state: 'failed', error, failedAt: Date.now() });
        this.options.onEvent?.({ type: 'load-failed', key, error });
        throw error;
      },
    );
    done.catch(() => undefined); // waiters get the error; nobody else must see an unhandled rejection
    const slot: Extract<Slot, { state: 'loading' }> = { state: 'loading', done, progress };
    this.slots.set(k, slot);
    return slot;
  }

  /**
   * Reads the change-log position first, then the faces, then catches up under the key's queue:
   * a change committed while the faces stream is either in the stream, in the catch-up, or both
   * (adds are idempotent), never in neither. `install` runs in the same queued task as the final
   * catch-up, so no refresh can slip between them and be applied to the wrong index. If the log
   * was compacted past the start meanwhile, the catch-up cannot be complete: the load starts over.
   */
  private async build(key: IndexKey, progress: LoadProgress, install: (index: TenantIndex) => void, kind?: TenantIndex['kind']): Promise<TenantIndex> {
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
      const built = await this.serial(keyOf(key), async () => {
        const { missed } = await applyChanges(candidate, source, key);
        if (missed && attempt < MAX_BUILD_ATTEMPTS) return null;
        // Still missing changes after the last try: installed, it is rebuilt at its next refresh.
        install(candidate);
        return candidate;
      });
      if (built) return built;
    }
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

  /**
   * The newest snapshot caught up with the change log after its sequence, installed like a
   * build's result; null when there is none or it was refused (reported, and the caller rebuilds).
   */
  private async restore(key: IndexKey, install: (index: TenantIndex) => void): Promise<TenantIndex | null> {
    const snapshots = this.snapshots;
    if (snapshots === null) return null;
    const loaded = await snapshots.load(key, this.options.index);
    if (!loaded.found) return null;
    const { index } = loaded;
    return this.serial(keyOf(key), async () => {
      // A snapshot older than the compacted log cannot be caught up: rebuild from the faces.
      const { missed } = await applyChanges(index, this.options.source, key);
      if (missed || !(await snapshots.verifyCount(key, index, this.options.source))) return null;
      install(index);
      return index;
    });
  }

  /** The old index keeps serving (and taking changes) until the new one has caught up. */
  private startRebuild(key: IndexKey, current: TenantIndex, reason: string): void {
    const k = keyOf(key);
    const progress: LoadProgress = { faces: 0, expected: current.size, fromSeq: 0n };
    this.slots.set(k, { state: 'rebuilding', index: current, lastUsed: Date.now(), progress });
    const started = Date.now();
    const install = (index: TenantIndex): void => {
      const slot = this.slots.get(k);
      // Evicted or dropped meanwhile: the new index belongs to nobody.
      if (slot?.state !== 'rebuilding' || slot.index !== current) return;
      this.slots.set(k, { state: 'ready', index, lastUsed: slot.lastUsed });
    };
    this.build(key, progress, install).then(
      (index) => {
        this.options.onEvent?.({ type: 'rebuilt', key, reason, faces: index.size, ms: Date.now() - started });
        this.snapshots?.afterBuild(key, index, (task) => this.serial(k, task));
      },
      (error: unknown) => {
        const slot = this.slots.get(k);
        if (slot?.state === 'rebuilding' && slot.index === current) {
          this.slots.set(k, { state: 'ready', index: current, lastUsed: slot.lastUsed });
        }
        this.options.onEvent?.({ type: 'rebuild-failed', key, error });
      },
    );
  }

  private async waitFor(key: IndexKey, slot: Extract<Slot, { state: 'loading' }>): Promise<TenantIndex> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const { faces, expected } = slot.progress;
        reject(unavailable(key, `is still loading (${faces} of ${expected} faces); retry shortly`));
      }, this.options.loadWaitMs);
    });
    try {
      return await Promise.race([slot.done, timeout]);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw unavailable(key, 'could not be loaded; it will be retried shortly');
    } finally {
      clearTimeout(timer);
    }
  }

  private async loadingPromise(key: IndexKey): Promise<void> {
    const slot = this.slots.get(keyOf(key));
    if (slot?.state === 'loading') await slot.done.catch(() => undefined);
  }

  private evictOverBudget(justLoaded: string): void {
    const budget = this.options.memoryBudgetBytes;
    if (budget <= 0) return;
    const resident = [...this.slots].flatMap(([k, slot]) =>
      hasIndex(slot) ? [{ k, lastUsed: slot.lastUsed, bytes: slot.index.estimatedBytes() }] : [],
    );
    let total = resident.reduce((sum, r) => sum + r.bytes, 0);
    for (const r of resident.sort((a, b) => a.lastUsed - b.lastUsed)) {
      if (total <= budget) return;
      if (r.k === justLoaded) continue;
      this.slots.delete(r.k);
      total -= r.bytes;
      this.options.onEvent?.({ type: 'evicted', key: parseKey(r.k), bytes: r.bytes });
    }
  }

  private serial<T>(k: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(k) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.queues.set(k, tail);
    void tail.then(() => {
      if (this.queues.get(k) === tail) this.queues.delete(k);
    });
    return run;
  }
}

function hasIndex(slot: Slot | undefined): slot is Extract<Slot, { state: 'ready' | 'rebuilding' }> {
  switch (slot?.state) {
    case 'ready':
    case 'rebuilding':
      return true;
    case 'loading':
    case 'failed':
    case undefined:
      return false;
  }
}

function unavailable(key: IndexKey, what: string): AppError {
  return new AppError('INDEX_UNAVAILABLE', `The face index of gallery ${key.galleryId} for model ${key.model} ${what}.`, {
    model: key.model,
    galleryId: key.galleryId,
  });
}
