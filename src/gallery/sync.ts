import type { FaceChangeFeed } from '../db/index.js';
import type { TenantIndexes } from './tenant-indexes.js';

export interface IndexSyncOptions {
  /** Null in embedded-database mode: one process, and `changed()` is the notification. */
  feed: FaceChangeFeed | null;
  /** Periodic catch-up of every loaded index, repairing anything a lost notice missed. */
  catchUpIntervalMs?: number;
  onError?: (error: unknown) => void;
}

/** Keeps this process's loaded indexes current with the FaceChange log. */
export class IndexSync {
  private readonly indexes: TenantIndexes;
  private readonly feed: FaceChangeFeed | null;
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
