import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import faiss from 'faiss-node';
import { readFaissIndex } from '../../src/gallery/read-faiss-index.js';

describe('readFaissIndex and writeAsync (faiss-node patched)', () => {
  it('reads back the index a file holds, of either kind, and takes a Float32Array in add', async () => {
    const file = path.join(tmpdir(), `visage-read-faiss-${process.pid}.faiss`);
    try {
      const written = new faiss.IndexFlatL2(4);
      written.add(new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]));
      written.write(file);
      for (const kind of ['flat', 'hnsw'] as const) {
        const read = await readFaissIndex(file, kind);
        assert.equal(read.ntotal(), 3);
        assert.equal(read.getDimension(), 4);
        assert.deepEqual(read.search([0, 0, 1, 0], 1).labels, [2]);
      }
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('writeAsync writes what readFaissIndex reads back, and rejects where it cannot write', async () => {
    const file = path.join(tmpdir(), `visage-write-faiss-${process.pid}.faiss`);
    try {
      const written = new faiss.IndexFlatL2(4);
      written.add(new Float32Array([1, 0, 0, 0, 0, 1, 0, 0]));
      await written.writeAsync(file);
      const read = await readFaissIndex(file, 'flat');
      assert.equal(read.ntotal(), 2);
      assert.deepEqual(read.search([0, 1, 0, 0], 1).labels, [1]);
    } finally {
      rmSync(file, { force: true });
    }
    await assert.rejects(new faiss.IndexFlatL2(4).writeAsync(path.join(tmpdir(), 'visage-no-such-dir', 'x.faiss')));
  });

  it('rejects for a file that is not there', async () => {
    await assert.rejects(readFaissIndex(path.join(tmpdir(), 'visage-no-such-index.faiss'), 'hnsw'), /could not open|No such file/i);
  });
});
