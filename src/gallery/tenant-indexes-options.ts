import { CONFIG_DEFAULTS } from '../config/index.js';
import type { FaceIndexSource } from '../db/face-index-source.js';
import type { IndexEvent } from './index-event.js';
import type { SnapshotPolicy } from './snapshots.js';
import { DEFAULT_TENANT_INDEX_OPTIONS, type TenantIndexOptions } from './tenant-index.js';

export interface TenantIndexesOptions {
  source: FaceIndexSource;
  index: TenantIndexOptions;
  /** How long a request waits for a loading index before INDEX_UNAVAILABLE. */
  loadWaitMs: number;
  /** After a failed load, requests fail fast for this long before a new load is tried. */
  retryFailedAfterMs: number;
  /** Least recently used indexes are dropped while the total estimate exceeds this; 0 = no limit. */
  memoryBudgetBytes: number;
  /** Faces per database round trip while building. */
  loadBatchSize: number;
  /** HNSW builds run in a child process on all cores (false: on this thread, in small chunks). */
  hnswBuildInChild: boolean;
  /** Where snapshots are read from and written to; null: every load reads the database. */
  snapshots: SnapshotPolicy | null;
  /** Lifecycle transitions, for logs and metrics. */
  onEvent?: (event: IndexEvent) => void;
}

export const DEFAULT_TENANT_INDEXES_OPTIONS: Omit<TenantIndexesOptions, 'source'> = {
  index: DEFAULT_TENANT_INDEX_OPTIONS,
  loadWaitMs: CONFIG_DEFAULTS.indexWaitMs,
  retryFailedAfterMs: 5_000,
  memoryBudgetBytes: CONFIG_DEFAULTS.indexMemoryBudgetMb * 1024 * 1024,
  loadBatchSize: 5_000,
  snapshots: null,
  hnswBuildInChild: true,
};
