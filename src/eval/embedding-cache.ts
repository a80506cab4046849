import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A cached result: the vector (null when the pipeline found no face) and what computing it cost. */
export interface CachedEmbedding {
  embedding: Float32Array | null;
  computeMs: number;
}

export const contentHash = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * One small binary file per (namespace, image content hash): [computeMs, dim, ...vector] as float32.
 * Keyed by content, not path, so renamed or copied files hit and an edited file misses.
 */
export class EmbeddingCache {
  constructor(
    private readonly root: string,
    private readonly namespace: string,
  ) {}

  private file(hash: string): string {
    return join(this.root, this.namespace, hash.slice(0, 2), `${hash}.f32`);
  }

  async get(hash: string): Promise<CachedEmbedding | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(this.file(hash));
    } catch {
      return undefined;
    }
    if (buf.byteLength < 8 || buf.byteLength % 4 !== 0) return undefined;
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const dim = all[1]!;
    if (dim !== all.length - 2) return undefined;
    return { computeMs: all[0]!, embedding: dim === 0 ? null : all.slice(2) };
  }

  async set(hash: string, value: CachedEmbedding): Promise<void> {
    const dim = value.embedding?.length ?? 0;
    const all = new Float32Array(2 + dim);
    all[0] = value.computeMs;
    all[1] = dim;
    if (value.embedding) all.set(value.embedding, 2);
    const target = this.file(hash);
    await mkdir(dirname(target), { recursive: true });
    // Write then rename: an interrupted run must not leave a truncated entry that later reads as valid.
    const tmp = `${target}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.from(all.buffer));
    await rename(tmp, target);
  }
}
