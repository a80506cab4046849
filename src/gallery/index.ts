export { TenantIndex, DEFAULT_TENANT_INDEX_OPTIONS } from './tenant-index.js';
export type { IndexKind, TenantIndexOptions, RebuildReason } from './tenant-index.js';
export type { HnswParams } from './faiss-buffers.js';
export { TenantIndexes, DEFAULT_TENANT_INDEXES_OPTIONS } from './tenant-indexes.js';
export type { IndexKey, IndexState, IndexEvent, TenantIndexesOptions } from './tenant-indexes.js';
export { IndexSync, PgChangeFeed } from './sync.js';
export type { ChangeFeed, IndexSyncOptions, PgChangeFeedOptions } from './sync.js';
