import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import faiss from 'faiss-node';
import { DEFAULT_TENANT_INDEX_OPTIONS } from '../../src/gallery/index.js';
import { finishSnapshot, readSnapshot } from '../../src/gallery/snapshot-file.js';

const labelFace = ['f0', 'f1', 'f2'];
const labelPerson = ['p0', 'p1', 'p1'];

async function flatFile(name: string): Promise<string> {
  const file = path.join(tmpdir(), `visage-snapshot-file-${process.pid}-${name}.snap`);
  const index = new faiss.IndexFlatL2(4);
  index.add(new Float32Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]));
  await index.writeAsync(file);
  return file;
}

describe('snapshot file', () => {
  it('reads back what it wrote (format 2, id map as JSON lines)', async () => {
    const file = await flatFile('f2');
    try {
      await finishSnapshot(file, 'key', 'flat', 7n, 4, { labelFace, labelPerson, dead: [] });
      const index = await readSnapshot(file, 'key', DEFAULT_TENANT_INDEX_OPTIONS);
      assert.equal(index.appliedSeq, 7n);
      assert.equal(index.size, 3);
      assert.deepEqual(index.contents()?.labelPerson, labelPerson);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('still reads a format-1 snapshot, whose id map is one JSON document', async () => {
    const file = await flatFile('f1');
    try {
      const faissBytes = readFileSync(file).length;
      const idMap = Buffer.from(JSON.stringify({ labelFace, labelPerson, dead: [] }));
      appendFileSync(file, idMap);
      const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
      const header = Buffer.from(JSON.stringify({ format: 1, id: 'key', kind: 'flat', dim: 4, appliedSeq: '7', vectors: 3, faces: 3, faissBytes, idMapBytes: idMap.length, sha256 }));
      const trailer = Buffer.alloc(12);
      trailer.writeUInt32LE(header.length, 0);
      trailer.write('VSGSNAP1', 4, 'latin1');
      appendFileSync(file, Buffer.concat([header, trailer]));
      const index = await readSnapshot(file, 'key', DEFAULT_TENANT_INDEX_OPTIONS);
      assert.equal(index.size, 3);
      assert.deepEqual(index.contents()?.labelFace, labelFace);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
