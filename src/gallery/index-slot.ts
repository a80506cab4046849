import type { TenantIndex } from './tenant-index.js';

/** How far a load or rebuild has come. */
export interface LoadProgress {
  faces: number;
  expected: number;
  /** The change-log position the build started from (0 until read): what it still needs from the log. */
  fromSeq: bigint;
}

/**
 * Where one key's index is in its lifecycle: absent (no slot) → loading → ready, or failed (retried
 * after a while); ready → rebuilding → ready (the old index serves until the new one has caught
 * up); a ready index may be evicted back to absent. Only 'ready' and 'rebuilding' hold a
 * searchable index.
 */
export type IndexSlot =
  | { state: 'loading'; done: Promise<TenantIndex>; progress: LoadProgress }
  | { state: 'ready'; index: TenantIndex; lastUsed: number }
  | { state: 'rebuilding'; index: TenantIndex; lastUsed: number; progress: LoadProgress }
  | { state: 'failed'; error: unknown; failedAt: number };

export type LoadingSlot = Extract<IndexSlot, { state: 'loading' }>;

export type IndexState = IndexSlot['state'] | 'absent';

export function hasIndex(slot: IndexSlot | undefined): slot is Extract<IndexSlot, { state: 'ready' | 'rebuilding' }> {
  switch (slot?.state) {
    case 'ready':
    case 'rebuilding':
      return true;
    case 'loading':
    case 'failed':
    case undefined:
      return false;
  }
}

/**
 * The change-log seq up to which a key in this slot no longer needs the log (for its compaction),
 * or null when it needs none. A build in flight needs it from where its load started.
 */
export function neededLogFrom(slot: IndexSlot): bigint | null {
  switch (slot.state) {
    case 'ready':
      return slot.index.appliedSeq;
    case 'rebuilding':
      return slot.index.appliedSeq < slot.progress.fromSeq ? slot.index.appliedSeq : slot.progress.fromSeq;
    case 'loading':
      return slot.progress.fromSeq;
    case 'failed':
      return null;
  }
}
