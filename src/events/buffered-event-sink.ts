import { randomUUID } from 'node:crypto';
import { isDatabaseUnreachable, type NewRecognitionEvent, type Repositories } from '../db/index.js';
import type { Logger } from '../logger.js';
import type { DatabaseOutage } from '../outage/database-outage.js';
import type { EventBuffer, StampedEvent } from './event-buffer.js';

/**
 * The recognition-event writer identify uses: straight to PostgreSQL when it answers and nothing
 * is waiting, otherwise to the local buffer (so buffered events keep their order ahead of newer
 * ones), which is drained as soon as the database is back.
 */
export function withBufferedEvents(repos: Repositories, outage: DatabaseOutage, buffer: EventBuffer, logger: Logger): Repositories {
  const drain = () =>
    buffer.drain().catch((err: unknown) => {
      if (isDatabaseUnreachable(err)) outage.reportUnreachable(err);
      else logger.error({ err }, 'writing buffered recognition events failed; retried at the next drain');
    });
  outage.onChange((state) => {
    if (state.kind === 'reachable' && buffer.pending() > 0) {
      const pending = buffer.pending();
      const started = Date.now();
      void drain().then(() => {
        if (buffer.pending() === 0) logger.warn({ events: pending, ms: Date.now() - started }, 'buffered recognition events written');
      });
    }
  });

  return {
    ...repos,
    events: {
      ...repos.events,
      async insertMany(tenantId: string, events: readonly NewRecognitionEvent[]): Promise<string[]> {
        const now = new Date();
        const stamped: StampedEvent[] = events.map((e) => ({ ...e, id: e.id ?? randomUUID(), createdAt: e.createdAt ?? now }));
        if (!outage.degraded() && buffer.pending() === 0) {
          try {
            return await repos.events.insertMany(tenantId, stamped);
          } catch (err) {
            if (!isDatabaseUnreachable(err)) throw err;
            outage.reportUnreachable(err);
          }
        }
        outage.assertWithinGrace('identify');
        await buffer.append({ tenantId, events: stamped });
        if (!outage.degraded()) void drain();
        return stamped.map((e) => e.id);
      },
    },
  };
}

/**
 * The buffer's insert: idempotent by id. A row can fail its foreign keys when what it refers to
 * was deleted after it was buffered: a deleted person leaves it with no person (as ON DELETE SET
 * NULL would have), a deleted tenant drops it (as ON DELETE CASCADE would have), with a warning.
 * Either way the drain goes on: one such row must not hold back every later event.
 */
// The buffer file is emptied once the drain is done: its rows must be on disk before that.
const DURABLE = { durable: true } as const;

export function replayInsert(repos: Pick<Repositories, 'events'>, logger: Logger) {
  return async (tenantId: string, events: readonly StampedEvent[]): Promise<void> => {
    try {
      await repos.events.insertMany(tenantId, events, DURABLE);
    } catch (err) {
      if (!isForeignKeyViolation(err)) throw err;
      for (const e of events) {
        await repos.events.insertMany(tenantId, [e], DURABLE).catch((one: unknown) => {
          if (!isForeignKeyViolation(one)) throw one;
          return repos.events.insertMany(tenantId, [{ ...e, personId: null }], DURABLE);
        }).catch((tenantGone: unknown) => {
          if (!isForeignKeyViolation(tenantGone)) throw tenantGone;
          logger.warn({ tenantId, eventId: e.id }, 'buffered recognition event of a deleted tenant dropped');
          return [];
        });
      }
    }
  };
}

function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '23503';
}
