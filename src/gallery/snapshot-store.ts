import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IndexSnapshotRepository } from '../db/index-snapshot-repository.js';
import { keyOf, type IndexKey } from './index-key.js';

/** The one name of an index's snapshots, in every store and inside the snapshot file itself. */
export function snapshotIdOf(key: IndexKey): string {
  return keyOf(key);
}

export interface SnapshotRef {
  key: IndexKey;
  seq: bigint;
  /** Store-specific locator (a file path, a row id). */
  ref: string;
}

/** A snapshot on local disk, for faiss to read; `release` removes any temporary copy. */
export interface LocalSnapshot {
  path: string;
  release(): Promise<void>;
}

/**
 * Where snapshots live. Both stores keep the newest two per key: one replica may be reading the
 * older one while another writes a newer one.
 */
export interface SnapshotStore {
  readonly kind: 'directory' | 'postgres';
  latest(key: IndexKey): Promise<SnapshotRef | null>;
  /** Null when the snapshot disappeared meanwhile (pruned by a newer one). */
  fetch(snapshot: SnapshotRef): Promise<LocalSnapshot | null>;
  /** A new local file path to write a snapshot to before `put` (on the store's disk if it has one). */
  stagingPath(): Promise<string>;
  /** Takes over `file` (it is moved or removed). */
  put(key: IndexKey, seq: bigint, file: string): Promise<void>;
  removeTenant(tenantId: string): Promise<void>;
}

const KEEP = 2;
const SEQ_DIGITS = 20;

/**
 * Files under `<root>/<tenantId>/<snapshot id>/<seq>.snap`: a local disk, or a ReadWriteMany
 * volume all replicas mount. Files appear by rename, so a reader never sees a partial one.
 */
export function directorySnapshotStore(root: string): SnapshotStore {
  const dirOf = (key: IndexKey): string => path.join(root, key.tenantId, encodeURIComponent(snapshotIdOf(key)));
  const staging = path.join(root, '.staging');
  const listed = async (dir: string): Promise<string[]> => {
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [];
      throw err;
    });
    return names.filter((n) => /^\d+\.snap$/.test(n)).sort();
  };
  return {
    kind: 'directory',
    async latest(key) {
      const names = await listed(dirOf(key));
      const newest = names[names.length - 1];
      return newest ? { key, seq: BigInt(newest.slice(0, -'.snap'.length)), ref: path.join(dirOf(key), newest) } : null;
    },
    async fetch(snapshot) {
      // Opening is the existence check; on Linux a pruned file stays readable once open, but faiss
      // opens by path, so a file pruned between here and the read is reported by the reader.
      const file = await open(snapshot.ref, 'r').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      if (file === null) return null;
      await file.close();
      return { path: snapshot.ref, release: async () => undefined };
    },
    async stagingPath() {
      await mkdir(staging, { recursive: true });
      return path.join(staging, `${randomUUID()}.snap`);
    },
    async put(key, seq, file) {
      const dir = dirOf(key);
      await mkdir(dir, { recursive: true });
      await rename(file, path.join(dir, `${seq.toString().padStart(SEQ_DIGITS, '0')}.snap`));
      const names = await listed(dir);
      for (const old of names.slice(0, Math.max(0, names.length - KEEP))) await unlink(path.join(dir, old)).catch(() => undefined);
    },
    async removeTenant(tenantId) {
      await rm(path.join(root, tenantId), { recursive: true, force: true });
    },
  };
}

const CHUNK_BYTES = 8 << 20;

/**
 * Snapshots in PostgreSQL itself (8 MB chunks), so replicas share them with nothing else to run.
 * A fetch streams the chunks to a file in `scratchDir` (one binary COPY); that file
 * (and a build's output) can be gigabytes, so the server puts it under VISAGE_DATA_DIR, not /tmp.
 */
export function postgresSnapshotStore(repo: IndexSnapshotRepository, scratchDir: string = tmpdir()): SnapshotStore {
  const scratch = async (): Promise<string> => {
    await mkdir(scratchDir, { recursive: true });
    return path.join(scratchDir, `visage-snapshot-${randomUUID()}.snap`);
  };
  return {
    kind: 'postgres',
    async latest(key) {
      const row = await repo.latest(key.tenantId, snapshotIdOf(key));
      return row ? { key, seq: row.seq, ref: `${row.id}:${row.bytes}` } : null;
    },
    async fetch(snapshot) {
      const [id, bytes] = snapshot.ref.split(':') as [string, string];
      const target = await scratch();
      const file = await open(target, 'w');
      let complete = false;
      try {
        let written = 0;
        for await (const data of repo.stream(snapshot.key.tenantId, id)) {
          await file.write(data);
          written += data.length;
        }
        // Pruned meanwhile: its chunks went with it.
        if (written !== Number(bytes)) return null;
        complete = true;
      } finally {
        await file.close();
        if (!complete) await unlink(target).catch(() => undefined);
      }
      return { path: target, release: () => unlink(target).catch(() => undefined) };
    },
    stagingPath: scratch,
    async put(key, seq, file) {
      try {
        await repo.save(key.tenantId, snapshotIdOf(key), seq, chunksOf(file), KEEP);
      } finally {
        await unlink(file).catch(() => undefined);
      }
    },
    async removeTenant(tenantId) {
      await repo.deleteTenant(tenantId);
    },
  };
}

async function* chunksOf(file: string): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const part of createReadStream(file, { highWaterMark: 1 << 20 })) {
    pending.push(part as Buffer);
    size += (part as Buffer).length;
    if (size >= CHUNK_BYTES) {
      yield Buffer.concat(pending);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending);
}
