import { EventEmitter } from 'node:events';
import { listenOn, type ListenSubscriber } from './listen-subscriber.js';

export const RECOGNITION_EVENTS_CHANNEL = 'visage_recognition_events';
/** Ids per notification: PostgreSQL caps a payload at 8000 bytes; 100 uuids take about 4000. */
export const IDS_PER_NOTICE = 100;

/** New recognition events, announced by tenant and id; every process serving the database hears them. */
export interface EventFeed {
  start(onEvents: (tenantId: string, ids: string[]) => void): Promise<void>;
  publish(tenantId: string, ids: readonly string[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Across replicas: PostgreSQL NOTIFY on the process's shared LISTEN connection (its owner connects
 * and closes it). Events written while it reconnects are not announced here (see live-events.ts).
 */
export function pgEventFeed(subscriber: ListenSubscriber): EventFeed {
  let unlisten = () => {};
  return {
    async start(onEvents) {
      unlisten = await listenOn(subscriber, RECOGNITION_EVENTS_CHANNEL, (text) => {
        const p = parseJson(text) as { tenantId?: unknown; ids?: unknown } | null;
        if (p && typeof p.tenantId === 'string' && Array.isArray(p.ids)) onEvents(p.tenantId, p.ids.filter((id): id is string => typeof id === 'string'));
      });
    },
    async publish(tenantId, ids) {
      for (let i = 0; i < ids.length; i += IDS_PER_NOTICE) await subscriber.notify(RECOGNITION_EVENTS_CHANNEL, { tenantId, ids: ids.slice(i, i + IDS_PER_NOTICE) });
    },
    async stop() {
      unlisten();
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The embedded database is one process and PGlite does not deliver NOTIFY: an in-process emitter. */
export function localEventFeed(): EventFeed {
  const emitter = new EventEmitter();
  return {
    async start(onEvents) {
      emitter.on('events', onEvents);
    },
    async publish(tenantId, ids) {
      emitter.emit('events', tenantId, [...ids]);
    },
    async stop() {
      emitter.removeAllListeners();
    },
  };
}
