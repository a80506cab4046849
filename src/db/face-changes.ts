import type pg from 'pg';

/**
 * The writer side of the index contract: every change to what a gallery's index holds is logged
 * in "FaceChange" inside the writer's transaction, one row per (face, gallery), and a NOTIFY
 * (delivered on commit) wakes the other processes, which then read the log from their last
 * applied seq. A face enters a gallery's index when it becomes searchable while its person is a
 * member, or when its person joins; it leaves when deleted, or when its person leaves.
 */
export const FACE_CHANGES_CHANNEL = 'visage_faces';

export type FaceChangeOp = 'ADD' | 'DELETE';

/** One face as one gallery's index sees it. */
export interface FaceRef {
  id: string;
  model: string;
  galleryId: string;
}

/**
 * The (face, gallery) pairs of searchable faces whose people are members, narrowed by face ids,
 * people or one gallery. Read before a delete: once the face or person is gone, so is the join.
 */
export async function galleryFaceRefs(
  client: pg.ClientBase,
  tenantId: string,
  filter: { faceIds?: readonly string[]; personIds?: readonly string[]; galleryId?: string },
): Promise<FaceRef[]> {
  const { rows } = await client.query<FaceRef>(
    `SELECT f.id::text AS id, f.model, m."galleryId"::text AS "galleryId"
       FROM "Face" f JOIN "GalleryMember" m ON m."personId" = f."personId"
      WHERE f."tenantId" = $1 AND f.searchable
        AND ($2::bigint[] IS NULL OR f.id = ANY($2::bigint[]))
        AND ($3::uuid[] IS NULL OR f."personId" = ANY($3::uuid[]))
        AND ($4::uuid IS NULL OR m."galleryId" = $4::uuid)`,
    [tenantId, filter.faceIds ?? null, filter.personIds ?? null, filter.galleryId ?? null],
  );
  return rows;
}

/**
 * Serialises this transaction with every other writer of the people's gallery membership or
 * searchable faces until commit: an enrollment completing while its person joins a gallery
 * must not log the face for neither. Locks in id order, so two writers cannot deadlock.
 */
export async function lockPeople(client: pg.ClientBase, tenantId: string, personIds: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ id: string }>(
    `SELECT id::text FROM "Person" WHERE "tenantId" = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
    [tenantId, [...personIds]],
  );
  return rows.map((r) => r.id);
}

/** Logs the changes and queues one notification per (gallery, model) touched. Call inside a transaction. */
export async function recordFaceChanges(client: pg.ClientBase, tenantId: string, faces: readonly FaceRef[], op: FaceChangeOp): Promise<void> {
  const byKey = new Map<string, { galleryId: string; model: string; ids: string[] }>();
  for (const f of faces) {
    const k = `${f.galleryId}:${f.model}`;
    const entry = byKey.get(k) ?? { galleryId: f.galleryId, model: f.model, ids: [] };
    entry.ids.push(f.id);
    byKey.set(k, entry);
  }
  // Readers apply the log by `seq > applied`; that is only complete if seqs of one key become
  // visible in order. Serialising writers per (tenant, model) until commit guarantees it; models
  // are locked in one order so two writers touching two models cannot deadlock.
  for (const model of [...new Set(faces.map((f) => f.model))].sort()) {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${tenantId}:${model}`]);
  }
  for (const { galleryId, model, ids } of byKey.values()) {
    const { rows } = await client.query<{ seq: string }>(
      `INSERT INTO "FaceChange" ("tenantId", "galleryId", model, "faceId", op)
       SELECT $1, $2, $3, unnest($4::bigint[]), $5::"FaceChangeOp"
       RETURNING seq`,
      [tenantId, galleryId, model, ids, op],
    );
    const maxSeq = rows.reduce((m, r) => (BigInt(r.seq) > m ? BigInt(r.seq) : m), 0n);
    await client.query('SELECT pg_notify($1, $2)', [FACE_CHANGES_CHANNEL, `${tenantId}:${galleryId}:${model}:${maxSeq}`]);
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
