import type { Client } from 'pg';
import { FACE_CHANGES_CHANNEL } from '../db/face-changes.js';
import { parseFaceChangePayload, type FaceChangeNotice } from '../db/face-index-source.js';
import type { TenantIndexes } from './tenant-indexes.js';

/**
 * Where change notices from other processes come from. `null` means "notices may have been
 * missed (reconnect): catch up every loaded index".
 */
export interface ChangeFeed {
  start(onNotice: (notice: FaceChangeNotice | null) => void): Promise<void>;
  stop(): Promise<void>;
}

export interface PgChangeFeedOptions {
  /** Returns a new, unconnected client; the feed owns it (one dedicated connection, not a pool's). */
  createClient: () => Client;
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  onError?: (error: unknown) => void;
}

/** LISTEN on a dedicated connection, reconnecting with backoff; each reconnect asks for a full catch-up. */
export class PgChangeFeed implements ChangeFeed {
  private readonly options: Required<Omit<PgChangeFeedOptions, 'onError'>> & Pick<PgChangeFeedOptions, 'onError'>;
  private client: Client | null = null;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private delay: number;

  constructor(options: PgChangeFeedOptions) {
    this.options = { reconnectDelayMs: 500, maxReconnectDelayMs: 30_000, ...options };
    this.delay = this.options.reconnectDelayMs;
  }

  async start(onNotice: (notice: FaceChangeNotice | null) => void): Promise<void> {
    this.stopped = false;
    await this.connect(onNotice, false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(onNotice: (notice: FaceChangeNotice | null) => void, isReconnect: boolean): Promise<void> {
    const client = this.options.createClient();
    client.on('notification', (message) => {
      if (message.channel !== FACE_CHANGES_CHANNEL || message.payload === undefined) return;
      const notice = parseFaceChangePayload(message.payload);
      if (notice) onNotice(notice);
    });
    let lost = false;
    const onLost = (error?: unknown): void => {
      if (lost) return;
      lost = true;
      if (error) this.options.onError?.(error);
      if (this.client === client) this.client = null;
      void client.end().catch(() => undefined);
      this.scheduleReconnect(onNotice);
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query(`LISTEN ${FACE_CHANGES_CHANNEL}`);
    } catch (error) {
      if (!isReconnect) {
        lost = true;
        await client.end().catch(() => undefined);
        throw error;
      }
      onLost(error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delay = this.options.reconnectDelayMs;
    if (isReconnect) onNotice(null);
  }

  private scheduleReconnect(onNotice: (notice: FaceChangeNotice | null) => void): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(onNotice, true), this.delay);
    this.delay = Math.min(this.delay * 2, this.options.maxReconnectDelayMs);
  }
}

export interface IndexSyncOptions {
  /** Null in embedded-database mode: one process, and `changed()` is the notification. */
  feed: ChangeFeed | null;
  /** Periodic catch-up of every loaded index, repairing anything a lost notice missed. */
  catchUpIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/** Keeps this process's loaded indexes current with the FaceChange log. */
export class IndexSync {
  private readonly indexes: TenantIndexes;
  private readonly feed: ChangeFeed | null;
  private readonly catchUpIntervalMs: number;
  private readonly onError: (error: unknown) => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(indexes: TenantIndexes, options: IndexSyncOptions) {
    this.indexes = indexes;
    this.feed = options.feed;
    this.catchUpIntervalMs = options.catchUpIntervalMs ?? 5_000;
    this.onError = options.onError ?? (() => undefined);
  }

  async start(): Promise<void> {
    await this.feed?.start((notice) => {
      const done = notice ? this.indexes.refresh({ tenantId: notice.tenantId, galleryId: notice.galleryId, model: notice.model }) : this.indexes.refreshAll();
      done.catch(this.onError);
    });
    this.timer = setInterval(() => this.indexes.refreshAll().catch(this.onError), this.catchUpIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.feed?.stop();
  }

  /**
   * For writers in this process, after their transaction commits: resolves once this process's
   * loaded indexes of the tenant (of `model`, or of every model) reflect the change, whichever
   * galleries it touched (other processes learn it through NOTIFY).
   */
  changed(tenantId: string, model?: string): Promise<void> {
    return this.indexes.refreshAll((key) => key.tenantId === tenantId && (model === undefined || key.model === model));
  }
}
