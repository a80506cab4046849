import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contentHash, EmbeddingCache } from '../../src/eval/embedding-cache.js';

let root: string;

describe('evaluation embedding cache', () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'visage-eval-cache-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('returns the stored vector and its compute time for the same content', async () => {
    const cache = new EmbeddingCache(root, 'model-a');
    const hash = contentHash(Buffer.from('image bytes'));
    assert.equal(await cache.get(hash), undefined);
    await cache.set(hash, { embedding: Float32Array.from([0.6, 0.8]), computeMs: 12.5 });
    const hit = await cache.get(hash);
    assert.deepEqual(Array.from(hit!.embedding!), [Float32Array.from([0.6])[0], Float32Array.from([0.8])[0]]);
    assert.equal(hit!.computeMs, 12.5);
  });

  it('remembers that no face was found', async () => {
    const cache = new EmbeddingCache(root, 'model-a');
    const hash = contentHash(Buffer.from('landscape'));
    await cache.set(hash, { embedding: null, computeMs: 3 });
    assert.deepEqual(await cache.get(hash), { embedding: null, computeMs: 3 });
  });

  it('keeps namespaces (model, crop path) apart', async () => {
    const hash = contentHash(Buffer.from('shared'));
    await new EmbeddingCache(root, 'model-a').set(hash, { embedding: Float32Array.from([1]), computeMs: 1 });
    assert.equal(await new EmbeddingCache(root, 'model-b').get(hash), undefined);
  });

  it('treats a truncated entry as a miss', async () => {
    const cache = new EmbeddingCache(root, 'model-c');
    const hash = contentHash(Buffer.from('truncated'));
    await cache.set(hash, { embedding: Float32Array.from([1, 2, 3]), computeMs: 1 });
    const dir = join(root, 'model-c', hash.slice(0, 2));
    const [file] = await readdir(dir);
    await writeFile(join(dir, file!), Buffer.from(new Float32Array([1, 3, 1]).buffer));
    assert.equal(await cache.get(hash), undefined);
  });
});
