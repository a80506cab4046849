import type pg from 'pg';
import { changeKeyJson, changeKeySql, type ChangeKey } from './change-key.js';

export interface ReplicaPosition {
  key: ChangeKey;
  /** Every FaceChange of `key` up to this seq is reflected in that process's index. */
  seq: bigint;
}

export interface CompactionPolicy {
  /** A process whose last heartbeat is older than this holds nothing back. */
  liveMs: number;
  /** Rows older than this go even if a live process has not applied them (it reloads). */
  maxAgeMs: number;
  limit: number;
}

/**
 * Compaction of the face change log. Processes report what they have applied (heartbeat); the job
 * deletes what no live process still needs and marks, per index key, the highest seq it deleted,
 * in the same statement, so a reader that finds rows missing also finds the mark.
 */
export function changeLogRepository(pool: pg.Pool) {
  return {
    async heartbeat(replicaId: string, positions: readonly ReplicaPosition[]): Promise<void> {
      const json = JSON.stringify(positions.map((p) => ({ key: changeKeyJson(p.key), seq: p.seq.toString() })));
      await pool.query(
        `INSERT INTO "IndexReplica" (id, "seenAt", positions) VALUES ($1, now(), $2::jsonb)
         ON CONFLICT (id) DO UPDATE SET "seenAt" = now(), positions = EXCLUDED.positions`,
        [replicaId, json],
      );
    },

    /** A process shutting down cleanly holds nothing back from then on. */
    async leave(replicaId: string): Promise<void> {
      await pool.query(`DELETE FROM "IndexReplica" WHERE id = $1`, [replicaId]);
    },

    /**
     * Deletes up to `limit` rows (oldest first) that every live process holding their index has
     * applied, that no live process holds, or that are older than maxAgeMs as of `now`; returns how
     * many. A process still loading an index reports the seq its load started from, so it is held.
     */
    async compact(now: Date, policy: CompactionPolicy): Promise<number> {
      const { rows } = await pool.query<{ removed: number }>(
        `WITH held AS (
           SELECT p->'key' AS k, min((p->>'seq')::bigint) AS seq
             FROM "IndexReplica" r, jsonb_array_elements(r.positions) p
            WHERE r."seenAt" > $1::timestamptz
            GROUP BY p->'key'
         ), doomed AS (
           SELECT c.seq FROM "FaceChange" c LEFT JOIN held ON held.k = ${changeKeySql('c')}
            WHERE c."createdAt" < $2::timestamptz OR held.k IS NULL OR c.seq <= held.seq
            ORDER BY c.seq LIMIT $3
         ), gone AS (
           DELETE FROM "FaceChange" c USING doomed WHERE c.seq = doomed.seq RETURNING c.*
         ), marked AS (
           INSERT INTO "FaceChangeCompaction" ("indexKey", "tenantId", seq)
           SELECT ${changeKeySql('gone')}, gone."tenantId", max(gone.seq) FROM gone GROUP BY 1, 2
           ON CONFLICT ("indexKey") DO UPDATE SET seq = GREATEST("FaceChangeCompaction".seq, EXCLUDED.seq), "compactedAt" = now()
         )
         SELECT count(*)::int AS removed FROM gone`,
        [new Date(now.getTime() - policy.liveMs), new Date(now.getTime() - policy.maxAgeMs), policy.limit],
      );
      return rows[0]!.removed;
    },

    /** Heartbeats of processes gone for longer than `before` (killed, never left cleanly). */
    async forgetReplicasBefore(before: Date): Promise<number> {
      const { rowCount } = await pool.query(`DELETE FROM "IndexReplica" WHERE "seenAt" < $1`, [before]);
      return rowCount ?? 0;
    },
  };
}

export type ChangeLogRepository = ReturnType<typeof changeLogRepository>;
