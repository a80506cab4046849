import { readFile } from 'node:fs/promises';
import type { Embedder } from './embedder.js';
import { contentHash, type EmbeddingCache } from './embedding-cache.js';
import { NO_PROGRESS, type StartProgress } from './progress.js';

export interface EmbeddedSet {
  /** Aligned with the input paths; null where no face was found. */
  embeddings: (Float32Array | null)[];
  /** Pipeline milliseconds per image, measured when computed and remembered by the cache. */
  embedMsPerImage: number;
  computed: number;
  fromCache: number;
}

/**
 * Embeds every file once. Files are read and hashed even on a cache hit: the content hash is the
 * key, and a second run of a few hundred images then costs well under a second.
 */
export async function embedSamples(paths: readonly string[], embedder: Embedder, cache: EmbeddingCache | undefined, progress: StartProgress = NO_PROGRESS): Promise<EmbeddedSet> {
  const embeddings: (Float32Array | null)[] = [];
  const bar = progress(paths.length, 'embedding');
  let totalMs = 0;
  let computed = 0;
  let fromCache = 0;
  for (const path of paths) {
    const bytes = await readFile(path);
    const hash = contentHash(bytes);
    const hit = await cache?.get(hash);
    if (hit) {
      embeddings.push(hit.embedding);
      totalMs += hit.computeMs;
      fromCache += 1;
    } else {
      const t0 = performance.now();
      const embedding = await embedder.embed(bytes);
      const computeMs = performance.now() - t0;
      await cache?.set(hash, { embedding, computeMs });
      embeddings.push(embedding);
      totalMs += computeMs;
      computed += 1;
    }
    bar.advance();
  }
  bar.finish();
  return { embeddings, embedMsPerImage: paths.length ? totalMs / paths.length : 0, computed, fromCache };
}
