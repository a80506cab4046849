import { isHnswStorage, type HnswStorage } from '../../src/gallery/faiss-buffers.js';

/** A --storage / --hnsw-storage argument, checked. */
export function hnswStorageArg(value: string): HnswStorage {
  if (!isHnswStorage(value)) throw new Error(`storage must be flat, fp16 or sq8, not "${value}"`);
  return value;
}
