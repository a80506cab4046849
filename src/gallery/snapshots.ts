import { unlink } from 'node:fs/promises';
import type { FaceIndexSource } from '../db/face-index-source.js';
import type { IndexKey } from './index-key.js';
import type { BuiltIndex } from './hnsw-build.js';
import type { KeyQueue } from './key-queues.js';
import { finishSnapshot, readSnapshot, SnapshotInvalid, type SnapshotProblem } from './snapshot-file.js';
import { snapshotIdOf, type SnapshotStore } from './snapshot-store.js';
import type { TenantIndex, TenantIndexOptions } from './tenant-index.js';

export interface SnapshotPolicy {
  store: SnapshotStore;
  /** Smaller indexes are rebuilt from the database, which is about as fast as reading a snapshot. */
  minFaces: number;
  /** A loaded index is written again once this many faces were added or removed since its last snapshot. */
  everyChanges: number;
}

export type SnapshotEvent =
  | { type: 'snapshot-written'; key: IndexKey; faces: number; seq: bigint; bytes: number; ms: number }
  | { type: 'snapshot-write-failed'; key: IndexKey; error: unknown }
  | { type: 'snapshot-rejected'; key: IndexKey; problem: SnapshotProblem | 'unreadable'; error: unknown };

/** What a snapshot load found: nothing to use, or an index as of its snapshot's sequence. */
export type SnapshotLoad = { found: false } | { found: true; index: TenantIndex; ms: number };

/**
 * Reads and writes one process's snapshots through the configured store. Every refusal of a
 * snapshot is reported (the caller rebuilds from the database), never thrown.
 */
export class IndexSnapshots {
  readonly policy: SnapshotPolicy;
  private readonly onEvent: (event: SnapshotEvent) => void;
  /** Keys with a write in flight: a second one would only repeat it. */
  private readonly writing = new Set<string>();
  /** Faces added or removed per key since its last snapshot (or load). */
  private readonly changedSince = new Map<string, { tenantId: string; changes: number }>();
  /** Indexes whose build output already became their snapshot. */
  private readonly adopted = new WeakSet<TenantIndex>();

  constructor(policy: SnapshotPolicy, onEvent: (event: SnapshotEvent) => void) {
    this.policy = policy;
    this.onEvent = onEvent;
  }

  async load(key: IndexKey, options: TenantIndexOptions): Promise<SnapshotLoad> {
    const started = Date.now();
    const { store } = this.policy;
    let local;
    try {
      const ref = await store.latest(key);
      local = ref && (await store.fetch(ref));
      if (!local) return { found: false };
      return { found: true, index: await readSnapshot(local.path, snapshotIdOf(key), options), ms: Date.now() - started };
    } catch (error) {
      this.onEvent({ type: 'snapshot-rejected', key, problem: error instanceof SnapshotInvalid ? error.problem : 'unreadable', error });
      return { found: false };
    } finally {
      await local?.release();
    }
  }

  /**
   * After catching a restored index up: if the database holds another number of searchable faces
   * than the index, the snapshot (or its delta) is wrong and the caller rebuilds.
   */
  async verifyCount(key: IndexKey, index: TenantIndex, source: FaceIndexSource): Promise<boolean> {
    const stored = await source.countSearchable(key);
    if (stored === index.size) return true;
    const error = new SnapshotInvalid('count', `Snapshot plus change log hold ${index.size} faces; the database holds ${stored}.`);
    this.onEvent({ type: 'snapshot-rejected', key, problem: 'count', error });
    return false;
  }

  /** Whether an index of this size is worth a snapshot. */
  wants(index: TenantIndex): boolean {
    return index.size >= this.policy.minFaces;
  }

  /**
   * Turns the FAISS file a child build wrote into the snapshot of that build (its id map and
   * sequence as built), so a large index is never serialised twice.
   */
  async adopt(key: IndexKey, file: string, seq: bigint, built: BuiltIndex): Promise<void> {
    this.adopted.add(built.index);
    const id = snapshotIdOf(key);
    const started = Date.now();
    this.writing.add(id);
    try {
      const header = await finishSnapshot(file, id, 'hnsw', seq, built.dim, { labelFace: built.labelFace, labelPerson: built.labelPerson, dead: [] });
      await this.policy.store.put(key, seq, file);
      this.onEvent({ type: 'snapshot-written', key, faces: header.faces, seq, bytes: header.faissBytes + header.idMapBytes, ms: Date.now() - started });
    } catch (error) {
      await unlink(file).catch(() => undefined);
      this.onEvent({ type: 'snapshot-write-failed', key, error });
    } finally {
      this.writing.delete(id);
    }
  }

  /** A file for a build's output: the store's staging area, so adopting it is a rename. */
  stagingPath(): Promise<string> {
    return this.policy.store.stagingPath();
  }

  /** After a build or a rebuild: a snapshot, unless the build's own output already is one. */
  afterBuild(key: IndexKey, index: TenantIndex, serial: KeyQueue): void {
    if (!this.adopted.has(index)) this.schedule(key, index, serial);
  }

  /** Counts applied changes and writes a new snapshot once enough have accumulated. */
  afterChanges(key: IndexKey, index: TenantIndex, changes: number, serial: KeyQueue): void {
    if (changes === 0) return;
    const id = snapshotIdOf(key);
    const total = (this.changedSince.get(id)?.changes ?? 0) + changes;
    this.changedSince.set(id, { tenantId: key.tenantId, changes: total });
    if (total >= this.policy.everyChanges) this.schedule(key, index, serial);
  }

  forgetTenant(tenantId: string): void {
    for (const [id, entry] of [...this.changedSince]) if (entry.tenantId === tenantId) this.changedSince.delete(id);
  }

  /**
   * Writes a snapshot of `index` in the background. The contents are taken and FAISS is written
   * inside the key's queue, so no catch-up is half applied and none changes the index while the
   * libuv pool writes it (searches go on); the id map and the upload follow after the queue has
   * moved on.
   */
  private schedule(key: IndexKey, index: TenantIndex, serial: KeyQueue): void {
    if (!this.wants(index)) return;
    const id = snapshotIdOf(key);
    void this.prepare(key).then(async (write) => {
      if (write === null) return;
      const { done } = await serial(async () => {
        this.changedSince.delete(id);
        return write(index);
      });
      await done;
    });
  }

  /**
   * Starts a snapshot of `index`. The returned function must be called once the caller has
   * decided the index is consistent, and nothing may change the index until its promise
   * settles (it takes the contents and writes FAISS); `done` settles when the store has the
   * snapshot. Null when one is already in flight.
   */
  private async prepare(key: IndexKey): Promise<((index: TenantIndex) => Promise<{ done: Promise<void> }>) | null> {
    const id = snapshotIdOf(key);
    if (this.writing.has(id)) return null;
    this.writing.add(id);
    let file: string;
    try {
      file = await this.policy.store.stagingPath();
    } catch (error) {
      this.writing.delete(id);
      this.onEvent({ type: 'snapshot-write-failed', key, error });
      return null;
    }
    const finish = async (rest: () => Promise<void>): Promise<void> => {
      try {
        await rest();
      } catch (error) {
        await unlink(file).catch(() => undefined);
        this.onEvent({ type: 'snapshot-write-failed', key, error });
      } finally {
        this.writing.delete(id);
      }
    };
    return async (index) => {
      const started = Date.now();
      const contents = index.contents();
      const seq = index.appliedSeq;
      let written: unknown = null;
      try {
        await contents?.faiss.writeAsync(file);
      } catch (error) {
        written = error;
      }
      const done = finish(async () => {
        if (written !== null) throw written;
        if (contents === null) return;
        const header = await finishSnapshot(file, id, index.kind, seq, contents.dim, contents);
        await this.policy.store.put(key, seq, file);
        const bytes = header.faissBytes + header.idMapBytes;
        this.onEvent({ type: 'snapshot-written', key, faces: header.faces, seq, bytes, ms: Date.now() - started });
      });
      return { done };
    };
  }
}
