/** How an HNSW index stores its vectors, as VISAGE_INDEX_HNSW_STORAGE spells them (see faiss-buffers.ts). */
export const HNSW_STORAGES = ['flat', 'fp16', 'sq8'] as const;
export type HnswStorage = (typeof HNSW_STORAGES)[number];
