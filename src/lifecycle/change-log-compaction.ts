import type { ChangeLogRepository } from '../db/change-log-repository.js';

export interface CompactionOptions {
  liveMs: number;
  maxAgeMs: number;
  batchSize: number;
  /** Between batches, so identify traffic gets the database. */
  pause?: () => Promise<void>;
}

/**
 * Deletes face change-log rows that no live replica needs any more (or that passed the age bound)
 * in short batches, then forgets heartbeats of replicas gone for longer than the bound. `now` is
 * injected so tests move time without sleeping.
 */
export async function compactChangeLog(repo: ChangeLogRepository, now: Date, options: CompactionOptions): Promise<{ changes: number; replicasForgotten: number }> {
  let changes = 0;
  for (;;) {
    const removed = await repo.compact(now, { liveMs: options.liveMs, maxAgeMs: options.maxAgeMs, limit: options.batchSize });
    changes += removed;
    if (removed < options.batchSize) break;
    await options.pause?.();
  }
  const replicasForgotten = await repo.forgetReplicasBefore(new Date(now.getTime() - options.maxAgeMs));
  return { changes, replicasForgotten };
}
