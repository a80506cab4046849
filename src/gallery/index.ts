export { TenantIndex, DEFAULT_TENANT_INDEX_OPTIONS } from './tenant-index.js';
export type { TenantIndexOptions } from './tenant-index.js';
export { TenantIndexes } from './tenant-indexes.js';
export type { IndexEvent } from './index-event.js';
export { IndexSync } from './sync.js';
export { directorySnapshotStore, postgresSnapshotStore, snapshotIdOf } from './snapshot-store.js';
export type { SnapshotStore } from './snapshot-store.js';
export { searchGalleries } from './search-galleries.js';
export type { IndexKey } from './index-key.js';
