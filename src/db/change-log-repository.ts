import type pg from 'pg';
import { changeKeyJson, changeKeyMatchSql, changeKeySql, type ChangeKey } from './change-key.js';

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

    /** The seqs in the log now (null when it is empty): the range compaction walks. */
    async seqRange(): Promise<{ min: bigint; max: bigint } | null> {
      const { rows } = await pool.query<{ min: string | null; max: string | null }>(`SELECT min(seq)::text AS min, max(seq)::text AS max FROM "FaceChange"`);
      const { min, max } = rows[0]!;
      return min === null || max === null ? null : { min: BigInt(min), max: BigInt(max) };
    },

    /**
     * Deletes the rows with seq in (after, through] that every live process holding their index
     * has applied, that no live process holds, or that are older than maxAgeMs as of `now`;
     * returns how many. A process still loading an index reports the seq its load started from, so
     * it is held. One bounded seq range per call (a primary-key range scan), so a batch costs the
     * same however long the log is; deleted by ctid, never joined back against the whole table.
     */
    async compact(now: Date, policy: CompactionPolicy, after: bigint, through: bigint): Promise<number> {
      const { rows } = await pool.query<{ removed: number }>(
        `WITH held AS (
           SELECT p->'key' AS k, min((p->>'seq')::bigint) AS seq
             FROM "IndexReplica" r, jsonb_array_elements(r.positions) p
            WHERE r."seenAt" > $1::timestamptz
            GROUP BY p->'key'
         ), gone AS (
           DELETE FROM "FaceChange" WHERE ctid = ANY(ARRAY(
             SELECT c.ctid FROM "FaceChange" c LEFT JOIN held ON ${changeKeyMatchSql('held.k', 'c')}
              WHERE c.seq > $3::bigint AND c.seq <= $4::bigint
                AND (c."createdAt" < $2::timestamptz OR held.k IS NULL OR c.seq <= held.seq)
           )) RETURNING *
         ), marked AS (
           INSERT INTO "FaceChangeCompaction" ("indexKey", "tenantId", seq)
           SELECT ${changeKeySql('gone')}, gone."tenantId", max(gone.seq) FROM gone GROUP BY 1, 2
           ON CONFLICT ("indexKey") DO UPDATE SET seq = GREATEST("FaceChangeCompaction".seq, EXCLUDED.seq), "compactedAt" = now()
         )
         SELECT count(*)::int AS removed FROM gone`,
        [new Date(now.getTime() - policy.liveMs), new Date(now.getTime() - policy.maxAgeMs), after.toString(), through.toString()],
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
