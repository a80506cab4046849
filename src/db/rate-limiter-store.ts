import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from './database.js';

export interface LimiterSpec {
  /** Namespaces the counters: limiters with the same prefix share them, whatever their points. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

export type CreateLimiter = (spec: LimiterSpec) => RateLimiterAbstract;

/**
 * Counters every replica shares: rate-limiter-flexible's PostgreSQL store on the "RateLimit"
 * table (created by a migration, so the library runs no DDL), on connections whose commits do
 * not wait for the WAL flush, pipelined (Database.counters), with an in-memory limiter as its
 * insurance while the database cannot answer. The embedded database serves one process, so its
 * counters stay in memory.
 */
export function limiterFactory(db: Database): CreateLimiter {
  return ({ keyPrefix, points, durationSeconds }) => {
    const options = { keyPrefix, points, duration: durationSeconds };
    if (db.mode === 'embedded') return new RateLimiterMemory(options);
    return new RateLimiterPostgres({
      ...options,
      storeClient: db.counters,
      storeType: 'client',
      tableName: 'RateLimit',
      tableCreated: true,
      // Once a key is over a short (per-second) limit, further requests in the window are refused
      // from memory without a database round trip: a flood costs this process, not PostgreSQL.
      // Daily quotas are spent once per expensive call, and their refusals must tell the real wait.
      ...(durationSeconds <= 60 ? { inMemoryBlockOnConsumed: points + 1, inMemoryBlockDuration: durationSeconds } : {}),
      insuranceLimiter: new RateLimiterMemory(options),
    });
  };
}
