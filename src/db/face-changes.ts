import type pg from 'pg';

/**
 * The writer side of the index contract: every change to the searchable faces is logged in
 * "FaceChange" inside the writer's transaction, and a NOTIFY (delivered on commit) wakes the
 * other processes, which then read the log from their last applied seq.
 */
export const FACE_CHANGES_CHANNEL = 'visage_faces';

export type FaceChangeOp = 'ADD' | 'DELETE';

export interface FaceRef {
  id: string;
  model: string;
}

/** Logs the changes and queues one notification per model touched. Call inside a transaction. */
export async function recordFaceChanges(client: pg.PoolClient, tenantId: string, faces: readonly FaceRef[], op: FaceChangeOp): Promise<void> {
  const byModel = new Map<string, string[]>();
  for (const f of faces) byModel.set(f.model, [...(byModel.get(f.model) ?? []), f.id]);
  for (const [model, ids] of byModel) {
    // Readers apply the log by `seq > applied`; that is only complete if seqs of one key become
    // visible in order. Serialising writers per (tenant, model) until commit guarantees it.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${tenantId}:${model}`]);
    const { rows } = await client.query<{ seq: string }>(
      `INSERT INTO "FaceChange" ("tenantId", model, "faceId", op)
       SELECT $1, $2, unnest($3::bigint[]), $4::"FaceChangeOp"
       RETURNING seq`,
      [tenantId, model, ids, op],
    );
    const maxSeq = rows.reduce((m, r) => (BigInt(r.seq) > m ? BigInt(r.seq) : m), 0n);
    await client.query('SELECT pg_notify($1, $2)', [FACE_CHANGES_CHANNEL, `${tenantId}:${model}:${maxSeq}`]);
  }
}

/** Runs `work` in one transaction on one pooled connection. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
