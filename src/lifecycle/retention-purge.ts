import type { PurgeBatch, RetentionRepository } from '../db/retention-repository.js';

export interface PurgeResult {
  events: number;
  audit: number;
  sessions: number;
  faces: number;
}

const DAY_MS = 86_400_000;

/**
 * Applies every tenant's retention settings as of `now` (injected, so tests need no sleeping).
 * Batches until a batch comes back short; `pause` between batches lets identify traffic in.
 */
export async function purgeRetention(
  repo: RetentionRepository,
  now: Date,
  options: { batchSize: number; pause?: () => Promise<void> },
): Promise<PurgeResult> {
  const total: PurgeResult = { events: 0, audit: 0, sessions: 0, faces: 0 };
  const drain = async (step: () => Promise<number>): Promise<number> => {
    let sum = 0;
    for (;;) {
      const n = await step();
      sum += n;
      if (n < options.batchSize) return sum;
      await options.pause?.();
    }
  };
  // Each batch continues from the oldest row the previous one deleted (see deleteOlder).
  const drainByAge = (purge: (before: Date, inclusive: boolean) => Promise<PurgeBatch>, before: Date) => {
    let bound = before;
    let inclusive = false;
    return drain(async () => {
      const batch = await purge(bound, inclusive);
      if (batch.oldest) {
        bound = batch.oldest;
        inclusive = true;
      }
      return batch.removed;
    });
  };
  for (const p of await repo.policies()) {
    const eventsBefore = new Date(now.getTime() - p.eventRetentionDays * DAY_MS);
    const auditBefore = new Date(now.getTime() - p.auditRetentionDays * DAY_MS);
    const sessionsBefore = new Date(now.getTime() - p.enrollmentSessionTtlMinutes * 60_000);
    total.events += await drainByAge((before, inclusive) => repo.purgeEvents(p.tenantId, before, inclusive, options.batchSize), eventsBefore);
    total.audit += await drainByAge((before, inclusive) => repo.purgeAudit(p.tenantId, before, inclusive, options.batchSize), auditBefore);
    total.sessions += await drain(async () => {
      const r = await repo.expireSessions(p.tenantId, sessionsBefore, options.batchSize);
      total.faces += r.faces;
      return r.sessions;
    });
  }
  return total;
}
