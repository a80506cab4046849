import { EventEmitter, on } from 'node:events';
import { requireTenant, type Viewer } from '../auth/index.js';
import type { EventFeed, EventFilter, RecognitionEventRecord } from '../db/index.js';
import { checkPersonId } from '../reports/report-input.js';

export interface LiveEventsDeps {
  feed: EventFeed;
  /** Loads announced events, tenant-scoped. */
  load: (tenantId: string, ids: readonly string[]) => Promise<RecognitionEventRecord[]>;
  onError: (err: unknown) => void;
}

function matches(filter: EventFilter, e: RecognitionEventRecord): boolean {
  return (!filter.personId || e.personId === filter.personId) && (!filter.decision || e.decision === filter.decision) && (!filter.source || e.source === filter.source);
}

/**
 * recognitionEventAdded: events written by any process, delivered to this process's subscribers
 * of the same tenant. An announcement is loaded from the database only when someone here listens
 * to that tenant, so idle replicas pay nothing. Delivery is best effort: events written while the
 * feed reconnects are not replayed (recognitionEvents has them).
 */
export function createLiveEvents(deps: LiveEventsDeps) {
  // One emitter event name per tenant: a subscriber can only ever hear its own tenant.
  const bus = new EventEmitter();
  bus.setMaxListeners(0);

  async function deliver(tenantId: string, ids: string[]): Promise<void> {
    if (bus.listenerCount(tenantId) === 0) return;
    for (const event of await deps.load(tenantId, ids)) bus.emit(tenantId, event);
  }

  return {
    start: () => deps.feed.start((tenantId, ids) => void deliver(tenantId, ids).catch(deps.onError)),
    stop: () => deps.feed.stop(),

    /** Called after events are committed; never fails the write that produced them. */
    published(tenantId: string, ids: readonly string[]): void {
      void deps.feed.publish(tenantId, ids).catch(deps.onError);
    },

    /** Checks the role at once (not on the first event), then yields the tenant's matching events. */
    subscribe(viewer: Viewer, filter: EventFilter | null | undefined, signal?: AbortSignal): AsyncGenerator<RecognitionEventRecord> {
      const v = requireTenant(viewer, 'readEvents');
      const f = { ...filter, personId: checkPersonId(filter?.personId, 'filter.personId') };
      return (async function* () {
        try {
          for await (const [event] of on(bus, v.tenantId, signal ? { signal } : {})) {
            if (matches(f, event as RecognitionEventRecord)) yield event as RecognitionEventRecord;
          }
        } catch (err) {
          if ((err as Error).name !== 'AbortError') throw err;
        }
      })();
    },
  };
}

export type LiveEvents = ReturnType<typeof createLiveEvents>;
