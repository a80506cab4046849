import { AppError } from '../errors.js';
import type { FaceHit } from '../search/index.js';
import { applyChanges } from './apply-changes.js';
import { evictOverBudget } from './evict-over-budget.js';
import { keyOf, parseKey, type IndexKey } from './index-key.js';
import { IndexLoader, type Install } from './index-loader.js';
import { hasIndex, neededLogFrom, type IndexSlot, type IndexState, type LoadingSlot, type LoadProgress } from './index-slot.js';
import { KeyQueues } from './key-queues.js';
import { IndexSnapshots } from './snapshots.js';
import type { TenantIndex } from './tenant-index.js';
import { DEFAULT_TENANT_INDEXES_OPTIONS, type TenantIndexesOptions } from './tenant-indexes-options.js';

/**
 * The in-memory indexes of this process, one per (tenant, gallery, model), built lazily from the
 * database. A person in several galleries has their vectors in each of those indexes.
 * Every mutation of one key's index (change catch-up, the swap after a rebuild) runs through one
 * promise chain per key (KeyQueues), so sync never interleaves an add with a delete. A key's slot
 * only ever holds an index of that tenant, built from rows filtered by that tenant id.
 */
export class TenantIndexes {
  private readonly options: TenantIndexesOptions;
  private readonly slots = new Map<string, IndexSlot>();
  private readonly queues = new KeyQueues();
  private readonly pendingRefresh = new Map<string, Promise<void>>();
  private readonly snapshots: IndexSnapshots | null;
  private readonly loader: IndexLoader;

  constructor(options: Pick<TenantIndexesOptions, 'source'> & Partial<TenantIndexesOptions>) {
    this.options = { ...DEFAULT_TENANT_INDEXES_OPTIONS, ...options };
    const policy = this.options.snapshots;
    this.snapshots = policy ? new IndexSnapshots(policy, (event) => this.options.onEvent?.(event)) : null;
    this.loader = new IndexLoader(this.options, this.snapshots, this.queues);
  }

  state(key: IndexKey): IndexState {
    return this.slots.get(keyOf(key))?.state ?? 'absent';
  }

  /** Keys whose index is in memory (ready or rebuilding): the ones sync keeps current. */
  loadedKeys(): IndexKey[] {
    return [...this.slots].filter(([, slot]) => hasIndex(slot)).map(([k]) => parseKey(k));
  }

  /** For the change-log compaction: per key held (or being built), the seq up to which this process no longer needs the log. */
  positions(): { key: IndexKey; seq: bigint }[] {
    return [...this.slots].flatMap(([k, slot]) => {
      const seq = neededLogFrom(slot);
      return seq === null ? [] : [{ key: parseKey(k), seq }];
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
    const run = this.queues.run(k, async () => {
      this.pendingRefresh.delete(k);
      const slot = this.slots.get(k);
      if (!hasIndex(slot)) return;
      const applied = await applyChanges(slot.index, this.options.source, key);
      const reason = slot.index.rebuildReason();
      if (reason !== null && slot.state === 'ready') this.startRebuild(key, slot.index, reason);
      else this.snapshots?.afterChanges(key, slot.index, applied.added + applied.removed, this.queues.of(k));
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

  private startLoad(key: IndexKey): LoadingSlot {
    const k = keyOf(key);
    const progress: LoadProgress = { faces: 0, expected: 0, fromSeq: 0n };
    const started = Date.now();
    // Dropped or cleared while loading: the result belongs to nobody and must not resurrect.
    const current = (): boolean => this.slots.get(k) === slot;
    const install: Install = (index) => {
      if (current()) this.slots.set(k, { state: 'ready', index, lastUsed: Date.now() });
    };
    let from: 'snapshot' | 'database' = 'database';
    const load = async (): Promise<TenantIndex> => {
      const restored = await this.loader.restore(key, install);
      if (restored) {
        from = 'snapshot';
        return restored;
      }
      // Exact flat search serves at once; a gallery past the HNSW threshold is then built as a rebuild.
      return this.loader.build(key, progress, install, 'flat');
    };
    const done = load().then(
      (index) => {
        this.options.onEvent?.({ type: 'loaded', key, faces: index.size, kind: index.kind, ms: Date.now() - started, from });
        evictOverBudget(this.slots, this.options.memoryBudgetBytes, k, (evicted, bytes) => this.options.onEvent?.({ type: 'evicted', key: parseKey(evicted), bytes }));
        const reason = index.rebuildReason();
        const slot = this.slots.get(k);
        if (reason !== null && slot?.state === 'ready' && slot.index === index) this.startRebuild(key, index, reason);
        else if (from === 'database') this.snapshots?.afterBuild(key, index, this.queues.of(k));
        return index;
      },
      (error: unknown) => {
        if (current()) this.slots.set(k, { state: 'failed', error, failedAt: Date.now() });
        this.options.onEvent?.({ type: 'load-failed', key, error });
        throw error;
      },
    );
    done.catch(() => undefined); // waiters get the error; nobody else must see an unhandled rejection
    const slot: LoadingSlot = { state: 'loading', done, progress };
    this.slots.set(k, slot);
    return slot;
  }

  /** The old index keeps serving (and taking changes) until the new one has caught up. */
  private startRebuild(key: IndexKey, current: TenantIndex, reason: string): void {
    const k = keyOf(key);
    const progress: LoadProgress = { faces: 0, expected: current.size, fromSeq: 0n };
    this.slots.set(k, { state: 'rebuilding', index: current, lastUsed: Date.now(), progress });
    const started = Date.now();
    const install: Install = (index) => {
      const slot = this.slots.get(k);
      // Evicted or dropped meanwhile: the new index belongs to nobody.
      if (slot?.state !== 'rebuilding' || slot.index !== current) return;
      this.slots.set(k, { state: 'ready', index, lastUsed: slot.lastUsed });
    };
    this.loader.build(key, progress, install).then(
      (index) => {
        this.options.onEvent?.({ type: 'rebuilt', key, reason, faces: index.size, ms: Date.now() - started });
        this.snapshots?.afterBuild(key, index, this.queues.of(k));
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

  private async waitFor(key: IndexKey, slot: LoadingSlot): Promise<TenantIndex> {
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
}

function unavailable(key: IndexKey, what: string): AppError {
  return new AppError('INDEX_UNAVAILABLE', `The face index of gallery ${key.galleryId} for model ${key.model} ${what}.`, {
    model: key.model,
    galleryId: key.galleryId,
  });
}
