import faiss, { type Index } from 'faiss-node';
import type { IndexKind } from './tenant-index.js';

// What scripts/setup/faiss-node-async-io.patch adds to faiss-node 0.5.1 (setup.sh verifies it).
declare module 'faiss-node' {
  namespace Index {
    /** Reads an index file on the libuv pool; the event loop only wraps the result. */
    function readAsync(fname: string): Promise<Index>;
  }
  namespace IndexFlatL2 {
    function readAsync(fname: string): Promise<IndexFlatL2>;
  }
  interface Index {
    /**
     * Writes the index on the libuv pool. Nothing may change the index until the promise
     * settles; searching it meanwhile is safe. The index is kept alive until then.
     */
    writeAsync(fname: string): Promise<void>;
    /** Read in place: no per-element conversion as for a number[]. */
    add(x: Float32Array): void;
    train(x: Float32Array): void;
  }
}

/**
 * The FAISS index in the file at `path` (a snapshot holds it at its start), read off the event
 * loop: `Index.read` of a 1M-face HNSW file (~2.4 GB) would hold the loop for seconds while
 * other tenants are served.
 */
export function readFaissIndex(path: string, kind: IndexKind): Promise<Index> {
  return kind === 'flat' ? faiss.IndexFlatL2.readAsync(path) : faiss.Index.readAsync(path);
}
