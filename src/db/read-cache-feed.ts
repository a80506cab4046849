import { isUuid } from './ids.js';
import { listenOn, type ListenSubscriber } from './listen-subscriber.js';
import type { Invalidation } from './read-caches.js';

/** Written by the triggers of prisma/migrations/20261201190000_auth_person_cache_invalidation. */
export const READ_CACHE_CHANNEL = 'visage_read_cache';

const strings = (value: unknown): string[] | null => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null);

/**
 * A trigger's payload (the JSON text) → what to evict. Anything unexpected evicts
 * everything: a notice we cannot read still says that something changed.
 */
export function parseReadCachePayload(text: string): Invalidation {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    return { kind: 'all' };
  }
  const p = payload as { k?: unknown; t?: unknown; p?: unknown; all?: unknown } | null;
  if (p && typeof p === 'object' && p.all === undefined) {
    const prefixes = strings(p.k);
    if (prefixes) return { kind: 'keys', prefixes };
    if (typeof p.t === 'string' && isUuid(p.t)) {
      if (p.p === undefined) return { kind: 'tenant', tenantId: p.t };
      const personIds = strings(p.p);
      if (personIds) return { kind: 'people', tenantId: p.t, personIds };
    }
  }
  return { kind: 'all' };
}

export interface ReadCacheFeedHandlers {
  onInvalidate(invalidation: Invalidation): void;
  /** false as soon as the connection is lost (notices may be missed from then on); true once LISTEN is back. */
  onLive(live: boolean): void;
  onError(err: Error): void;
}

export interface ReadCacheFeed {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * LISTEN for the read-cache triggers on the process's shared LISTEN connection (its owner connects
 * and closes it; pg-listen reconnects and re-LISTENs by itself). Its "reconnect" event comes at
 * the first attempt, as soon as the loss is seen, and "connected" after the re-LISTEN.
 */
export function pgReadCacheFeed(subscriber: ListenSubscriber, handlers: ReadCacheFeedHandlers): ReadCacheFeed {
  let listening = false;
  const onError = (err: Error) => {
    // Reconnection given up: notices may be lost for good, so trust nothing held.
    handlers.onInvalidate({ kind: 'all' });
    handlers.onError(err);
  };
  const onReconnect = () => handlers.onLive(false);
  const onConnected = () => {
    if (listening) handlers.onLive(true);
  };
  let unlisten = () => {};
  return {
    async start() {
      subscriber.events.on('error', onError);
      subscriber.events.on('reconnect', onReconnect);
      subscriber.events.on('connected', onConnected);
      unlisten = await listenOn(subscriber, READ_CACHE_CHANNEL, (text) => handlers.onInvalidate(parseReadCachePayload(text)));
      listening = true;
      handlers.onLive(true);
    },
    async stop() {
      listening = false;
      handlers.onLive(false);
      subscriber.events.removeListener('error', onError);
      subscriber.events.removeListener('reconnect', onReconnect);
      subscriber.events.removeListener('connected', onConnected);
      unlisten();
    },
  };
}
