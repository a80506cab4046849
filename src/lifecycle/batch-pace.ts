import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The pause between batches of a background purge: as long as the last batch took (times
 * `idlePerBusy`), so the purge keeps the database busy at most 1 / (1 + idlePerBusy) of the time
 * and interactive queries (identify writes its event, reads keys) find it free the rest. Measured on
 * the clock, not a fixed sleep, so a slow (loaded) database is given proportionally more room.
 * The default leaves a third of the time free: with half free, bench:retention's identify p95
 * during the purge was below its idle p95 while the purge ran at 68 s per million events, more
 * than the 60 s it is allowed; a third keeps identify's share and brings the purge under it.
 */
export function batchPace(
  idlePerBusy = 0.5,
  clock: () => number = () => performance.now(),
  wait: (ms: number) => Promise<unknown> = sleep,
): () => Promise<void> {
  let resumedAt = clock();
  return async () => {
    const busyMs = clock() - resumedAt;
    // Capped: one batch stalled on a lock must not park the purge for as long again.
    await wait(Math.min(busyMs * idlePerBusy, MAX_PAUSE_MS));
    resumedAt = clock();
  };
}

const MAX_PAUSE_MS = 1000;
