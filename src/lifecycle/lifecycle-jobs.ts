import pg from 'pg';
import PgBoss from 'pg-boss';
import type { DeletionRun } from './tenant-deletion.js';

/** What the background jobs do; the runners below only decide where and when. */
export interface LifecycleHandlers {
  /** One slice of a tenant deletion; 'more' asks to be run again. */
  deleteTenant(tenantId: string): Promise<DeletionRun>;
  /** Tenants whose deletion was requested and has not finished (resumed on start). */
  pendingDeletions(): Promise<string[]>;
  /** The retention purge over every tenant. */
  purge(): Promise<void>;
  onError(error: unknown): void;
}

export interface LifecycleJobs {
  start(): Promise<void>;
  /** Durably queues the deletion (it already is durable as the tenant's DELETING status). */
  requestDeletion(tenantId: string): Promise<void>;
  stop(): Promise<void>;
}

const DELETE_QUEUE = 'tenant-delete';
// Any constant distinct from the migration lock's.
const JOBS_SETUP_LOCK = 72_917_332;
const PURGE_QUEUE = 'retention-purge';

export interface PgBossJobsOptions {
  connectionString: string;
  /** A job whose worker died is failed and retried after this long. */
  expireInSeconds: number;
  maintenanceIntervalSeconds: number;
  /** Cron expression of the retention purge (pg-boss runs each slot once across replicas). */
  retentionCron: string;
}

/**
 * PostgreSQL-backed jobs (pg-boss) for a server on an external database: any replica may take a
 * job, a job whose process was killed is retried once it expires, and a deletion also resumes at
 * start from the tenant rows themselves. The 'short' policy keeps at most one queued deletion per
 * tenant; two running at once (a retried orphan and a fresh one) would only share the batches.
 */
export function pgBossJobs(handlers: LifecycleHandlers, options: PgBossJobsOptions): LifecycleJobs {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: 2,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
    // Job rows of finished deletions are not needed for long; the tenant row keeps the record.
    deleteAfterDays: 7,
  });
  boss.on('error', handlers.onError);
  const send = (tenantId: string) =>
    boss.send(DELETE_QUEUE, { tenantId }, { singletonKey: tenantId, expireInSeconds: options.expireInSeconds, retryLimit: 1000, retryDelay: 5 });

  return {
    async start() {
      // Replicas starting together deadlocked in pg-boss's schema set-up (seen in the two-process
      // test): one at a time, under a session advisory lock.
      const lock = new pg.Client({ connectionString: options.connectionString });
      await lock.connect();
      try {
        await lock.query('SELECT pg_advisory_lock($1)', [JOBS_SETUP_LOCK]);
        await boss.start();
        await boss.createQueue(DELETE_QUEUE, { name: DELETE_QUEUE, policy: 'short' });
        await boss.createQueue(PURGE_QUEUE, { name: PURGE_QUEUE, policy: 'singleton' });
      } finally {
        await lock.end();
      }
      await boss.work<{ tenantId: string }>(DELETE_QUEUE, { pollingIntervalSeconds: 1 }, async ([job]) => {
        if (!job) return;
        if ((await handlers.deleteTenant(job.data.tenantId)) === 'more') await send(job.data.tenantId);
      });
      await boss.work(PURGE_QUEUE, async () => handlers.purge());
      await boss.schedule(PURGE_QUEUE, options.retentionCron, {}, { expireInSeconds: options.expireInSeconds * 10, retryLimit: 3 });
      for (const tenantId of await handlers.pendingDeletions()) await send(tenantId);
    },
    async requestDeletion(tenantId) {
      await send(tenantId);
    },
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}

/**
 * The embedded database serves one process: the same handlers run in-process, one deletion at a
 * time, resumed at start from the DELETING tenants, and the purge on a timer.
 */
export function inProcessJobs(handlers: LifecycleHandlers, options: { retentionIntervalMs: number }): LifecycleJobs {
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(() => (stopped ? undefined : work())).catch(handlers.onError);
    return chain;
  };
  const deletion = (tenantId: string): Promise<void> =>
    enqueue(async () => {
      while (!stopped && (await handlers.deleteTenant(tenantId)) === 'more');
    });
  return {
    async start() {
      for (const tenantId of await handlers.pendingDeletions()) void deletion(tenantId);
      timer = setInterval(() => void enqueue(() => handlers.purge()), options.retentionIntervalMs);
      timer.unref();
    },
    async requestDeletion(tenantId) {
      void deletion(tenantId);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain;
    },
  };
}
