import { LRUCache } from 'lru-cache';

export interface ReadCacheOptions {
  /** Most entries held (least recently used go first). */
  maxEntries: number;
  /** An entry is re-read after this long even if no notification evicted it: a safety net, not the mechanism. */
  ttlMs: number;
}

/**
 * One in-memory cache of database rows, kept correct by eviction (src/db/read-cache-feed.ts turns
 * PostgreSQL's notifications into `evict` calls). Two rules make it safe:
 *
 * - While it is not `live` (the notification listener is not connected: at start-up, or while it
 *   reconnects) nothing is served or stored: a change made meanwhile would not be heard of.
 *   Going live or losing the listener flushes everything.
 * - A read that started before an eviction is not stored (`epoch`): the row it brings may be the
 *   one the eviction was about, and storing it after the eviction would keep it until the TTL.
 *
 * Values are cloned in and out, so a caller that mutates what it got cannot change the entry.
 */
export class ReadCache<V extends object> {
  private readonly lru: LRUCache<string, V>;
  private live = false;
  private epoch = 0;

  constructor(options: ReadCacheOptions) {
    this.lru = new LRUCache<string, V>({ max: Math.max(1, options.maxEntries), ttl: Math.max(1, options.ttlMs) });
  }

  /** Connected (notifications will be heard) or not. Either way, what is held may be stale: flush. */
  setLive(live: boolean): void {
    this.flush();
    this.live = live;
  }

  isLive(): boolean {
    return this.live;
  }

  /** The held value, or undefined (also whenever the cache is not live). */
  get(key: string): V | undefined {
    if (!this.live) return undefined;
    const value = this.lru.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  /** Call before the database read whose result may be stored; pass the result to `store`. */
  readStarted(): number {
    return this.epoch;
  }

  /** Stores what a read started at `startedAt` returned, unless an eviction happened since or the cache is not live. */
  store(startedAt: number, key: string, value: V): void {
    if (!this.live || startedAt !== this.epoch) return;
    this.lru.set(key, structuredClone(value));
  }

  evict(key: string): void {
    this.epoch += 1;
    this.lru.delete(key);
  }

  /** Evicts every entry `matches` selects (a tenant's, say): a scan, for rare events only. */
  evictWhere(matches: (key: string, value: V) => boolean): void {
    this.epoch += 1;
    for (const [key, value] of this.lru.entries()) if (matches(key, value)) this.lru.delete(key);
  }

  flush(): void {
    this.epoch += 1;
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }
}
