import type { Config } from '../config/index.js';
import type { Database, Repositories } from '../db/index.js';
import type { Logger } from '../logger.js';
import { inProcessJobs, pgBossJobs, type LifecycleHandlers, type LifecycleJobs } from './lifecycle-jobs.js';
import { purgeRetention } from './retention-purge.js';
import { runTenantDeletion } from './tenant-deletion.js';
import { compactChangeLog } from './change-log-compaction.js';
import { batchPace } from './batch-pace.js';
import { startReplicaHeartbeat, type ReplicaHeartbeat } from '../gallery/replica-heartbeat.js';
import type { IndexKey, SnapshotStore } from '../gallery/index.js';

export interface LifecycleRuntime {
  jobs: LifecycleJobs;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface IndexHandle {
  loadedKeys(): { tenantId: string }[];
  drop(tenantId: string): void;
  positions(): { key: IndexKey; seq: bigint }[];
}

/**
 * Wires the lifecycle jobs into a server: pg-boss on an external database, in-process on the
 * embedded one; a sweep that frees indexes of tenants deleted by another replica; and the
 * heartbeat that tells the change-log compaction (run with the purge) what this replica still needs.
 */
export function createLifecycleRuntime(deps: { db: Database; repos: Repositories; config: Config; indexes: IndexHandle; snapshots?: SnapshotStore | null; logger: Logger }): LifecycleRuntime {
  const { db, repos, config, indexes, logger } = deps;
  const handlers: LifecycleHandlers = {
    async deleteTenant(tenantId) {
      indexes.drop(tenantId);
      const run = await runTenantDeletion(repos.lifecycle, tenantId, { batchSize: config.deletionBatchSize, budgetMs: config.deletionSliceMs, snapshots: deps.snapshots ?? null });
      logger.info({ tenantId, run }, 'tenant deletion slice');
      return run;
    },
    pendingDeletions: () => repos.lifecycle.deleting(),
    async purge() {
      const pause = batchPace();
      const result = await purgeRetention(repos.retention, new Date(), { batchSize: config.retentionBatchSize, pause });
      logger.info({ result }, 'retention purge');
      const compaction = await compactChangeLog(repos.changeLog, new Date(), {
        liveMs: config.replicaLiveSeconds * 1000,
        maxAgeMs: config.changeLogMaxAgeHours * 3_600_000,
        batchSize: config.retentionBatchSize,
        pause,
      });
      logger.info({ compaction }, 'face change-log compaction');
    },
    onError: (err) => logger.warn({ err }, 'lifecycle job error'),
  };
  const jobs =
    db.mode === 'external'
      ? pgBossJobs(handlers, {
          connectionString: db.url,
          expireInSeconds: config.jobExpireSeconds,
          maintenanceIntervalSeconds: config.jobMaintenanceSeconds,
          retentionCron: config.retentionCron,
        })
      : inProcessJobs(handlers, { retentionIntervalMs: config.retentionIntervalMs });

  let sweep: NodeJS.Timeout | undefined;
  let heartbeat: ReplicaHeartbeat | undefined;
  const sweepRetired = async () => {
    const loaded = [...new Set(indexes.loadedKeys().map((k) => k.tenantId))];
    for (const tenantId of await repos.lifecycle.retired(loaded)) indexes.drop(tenantId);
  };
  return {
    jobs,
    async start() {
      heartbeat = startReplicaHeartbeat(indexes, repos.changeLog, { intervalMs: config.syncIntervalMs, onError: handlers.onError });
      await jobs.start();
      sweep = setInterval(() => void sweepRetired().catch(handlers.onError), config.syncIntervalMs);
      sweep.unref();
    },
    async stop() {
      clearInterval(sweep);
      await jobs.stop();
      await heartbeat?.stop();
    },
  };
}
