import { isUuid } from './ids.js';
import { listenSubscriber } from './listen-subscriber.js';
import type { Invalidation } from './read-caches.js';

/** Written by the triggers of prisma/migrations/20261201190000_auth_person_cache_invalidation. */
export const READ_CACHE_CHANNEL = 'visage_read_cache';

const strings = (value: unknown): string[] | null => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : null);

/**
 * A trigger's payload (already JSON-parsed) → what to evict. Anything unexpected evicts
 * everything: a notice we cannot read still says that something changed.
 */
export function parseReadCachePayload(payload: unknown): Invalidation {
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
 * LISTEN for the read-cache triggers through pg-listen, which reconnects and re-LISTENs by itself.
 * Its "connected" event comes before LISTEN at start-up (so start() reports live after listenTo)
 * and after the re-LISTEN on a reconnect; its "reconnect" event comes at the first attempt, as
 * soon as the loss is seen.
 */
export function pgReadCacheFeed(url: string, handlers: ReadCacheFeedHandlers): ReadCacheFeed {
  const subscriber = listenSubscriber(url);
  let listening = false;
  subscriber.events.on('error', (err) => {
    // A payload that failed to parse, or reconnection given up: either way, trust nothing held.
    handlers.onInvalidate({ kind: 'all' });
    handlers.onError(err);
  });
  subscriber.events.on('reconnect', () => handlers.onLive(false));
  subscriber.events.on('connected', () => {
    if (listening) handlers.onLive(true);
  });
  subscriber.notifications.on(READ_CACHE_CHANNEL, (payload: unknown) => handlers.onInvalidate(parseReadCachePayload(payload)));
  return {
    async start() {
      await subscriber.connect();
      await subscriber.listenTo(READ_CACHE_CHANNEL);
      listening = true;
      handlers.onLive(true);
    },
    async stop() {
      listening = false;
      handlers.onLive(false);
      await subscriber.close();
    },
  };
}
