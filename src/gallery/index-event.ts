import type { IndexKey } from './index-key.js';
import type { SnapshotEvent } from './snapshots.js';
import type { TenantIndex } from './tenant-index.js';

/** A lifecycle transition of one key's index, for logs and metrics. */
export type IndexEvent =
  | { type: 'loaded'; key: IndexKey; faces: number; kind: TenantIndex['kind']; ms: number; from: 'snapshot' | 'database' }
  | { type: 'load-failed'; key: IndexKey; error: unknown }
  | { type: 'rebuilt'; key: IndexKey; reason: string; faces: number; ms: number }
  | { type: 'rebuild-failed'; key: IndexKey; error: unknown }
  | { type: 'evicted'; key: IndexKey; bytes: number }
  | SnapshotEvent;
