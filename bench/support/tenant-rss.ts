/**
 * Child of bench:index: the resident memory of a process holding one index and nothing else, read
 * from a snapshot file (argv: path, snapshot id), after a search and a full GC. What a server with
 * that one tenant holds in steady state: the FAISS index, the id map, Node and the addons.
 */
import { fork } from 'node:child_process';
import { readSnapshot } from '../../src/gallery/snapshot-file.js';
import { DEFAULT_TENANT_INDEX_OPTIONS } from '../../src/gallery/index.js';

if (process.send && process.argv[2]) {
  const index = await readSnapshot(process.argv[2], process.argv[3]!, { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: 1 });
  index.search(new Float32Array(index.dimension!).fill(0.01), 10);
  (globalThis as { gc?: () => void }).gc?.();
  process.send({ rssMb: Math.round(process.memoryUsage().rss / 2 ** 20), faces: index.size });
}

/** Runs this file as a child on `file` and returns its steady-state RSS in MB. */
export function tenantRssMb(file: string, id: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(import.meta.url), [file, id], { execArgv: ['--import', import.meta.resolve('tsx'), '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m: { rssMb: number }) => {
      child.kill();
      resolve(m.rssMb);
    });
    child.once('exit', (code) => reject(new Error(`tenant-rss child exited with ${code}`)));
  });
}
