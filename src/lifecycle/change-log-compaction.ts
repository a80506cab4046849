import type { ChangeLogRepository } from '../db/change-log-repository.js';

export interface CompactionOptions {
  liveMs: number;
  maxAgeMs: number;
  batchSize: number;
  /** Between batches, so identify traffic gets the database. */
  pause?: () => Promise<void>;
}

/**
 * Deletes face change-log rows that no live replica needs any more (or that passed the age bound),
 * walking the log in seq ranges of `batchSize` (each one short statement), then forgets heartbeats
 * of replicas gone for longer than the bound. `now` is injected so tests move time without sleeping.
 */
export async function compactChangeLog(repo: ChangeLogRepository, now: Date, options: CompactionOptions): Promise<{ changes: number; replicasForgotten: number }> {
  let changes = 0;
  const range = await repo.seqRange();
  if (range) {
    const span = BigInt(options.batchSize);
    for (let after = range.min - 1n; after < range.max; after += span) {
      changes += await repo.compact(now, { liveMs: options.liveMs, maxAgeMs: options.maxAgeMs }, after, after + span);
      await options.pause?.();
    }
  }
  const replicasForgotten = await repo.forgetReplicasBefore(new Date(now.getTime() - options.maxAgeMs));
  return { changes, replicasForgotten };
}
