import type { EventRepository } from '../db/event-repository.js';

/**
 * The event repository, announcing every committed insert (identify, frames, video, verify) to
 * live subscribers. A decorator, so the insert on identify's path stays exactly as it is.
 */
export function publishingEvents(events: EventRepository, published: (tenantId: string, ids: readonly string[]) => void): EventRepository {
  return {
    ...events,
    async insertMany(tenantId, rows) {
      const ids = await events.insertMany(tenantId, rows);
      published(tenantId, ids);
      return ids;
    },
  };
}
