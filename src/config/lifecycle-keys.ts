import { parseIntIn, parseString } from './parsers.js';

// Same shape as config-keys.ts's ConfigKey, which spreads this table in (importing it back would be a cycle).
function key<T>(env: string, defaultText: string, doc: string, parse: (raw: string | undefined) => T) {
  return { env, doc, defaultText, parse };
}

/** Tenant deletion and retention jobs (README, Data lifecycle). */
export const LIFECYCLE_CONFIG_KEYS = {
  deletionBatchSize: key('VISAGE_DELETION_BATCH_SIZE', '5000', 'Rows per transaction when a tenant deletion empties a table.', (r) => parseIntIn(r, 5000, 1, 1_000_000)),
  deletionSliceMs: key(
    'VISAGE_DELETION_SLICE_MS',
    '20000',
    'A tenant deletion job works this long, then queues its continuation (keep it well under VISAGE_JOB_EXPIRE_SECONDS).',
    (r) => parseIntIn(r, 20_000, 100, 3_600_000),
  ),
  jobExpireSeconds: key(
    'VISAGE_JOB_EXPIRE_SECONDS',
    '120',
    'A background job whose process died is failed and retried after this long (pg-boss expiry; external database only).',
    (r) => parseIntIn(r, 120, 1, 86_400),
  ),
  jobMaintenanceSeconds: key('VISAGE_JOB_MAINTENANCE_SECONDS', '30', 'How often pg-boss looks for expired jobs.', (r) => parseIntIn(r, 30, 1, 3600)),
  retentionCron: key('VISAGE_RETENTION_CRON', '17 * * * *', 'When the retention purge runs (cron, UTC; once per slot across replicas).', (r) => parseString(r, '17 * * * *')),
  retentionIntervalMs: key(
    'VISAGE_RETENTION_INTERVAL_MS',
    '3600000',
    'With the embedded database (no job queue), the period of the in-process retention purge.',
    (r) => parseIntIn(r, 3_600_000, 1000, 86_400_000),
  ),
  changeLogMaxAgeHours: key('VISAGE_CHANGE_LOG_MAX_AGE_HOURS', '24', 'Face change-log rows older than this are compacted away even if a live replica has not applied them (that replica reloads the index).', (r) => parseIntIn(r, 24, 1, 8760)),
  replicaLiveSeconds: key('VISAGE_REPLICA_LIVE_SECONDS', '60', 'A replica whose index heartbeat (sent every VISAGE_SYNC_INTERVAL_MS) is older than this no longer holds back change-log compaction.', (r) => parseIntIn(r, 60, 1, 86_400)),
  retentionBatchSize: key('VISAGE_RETENTION_BATCH_SIZE', '5000', 'Rows per transaction in the retention purge.', (r) => parseIntIn(r, 5000, 1, 1_000_000)),
} as const;
