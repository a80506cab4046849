import type { ClientBase, Pool, QueryConfig } from 'pg';

/**
 * The SQL behind the in-memory face indexes, and the change-log contract writers must follow.
 *
 * Writers (enrollment completion, face and person deletion) call `recordFaceChanges` inside the
 * transaction that changes the faces. It serialises writers per (tenant, model) with an advisory
 * lock before taking sequence numbers, so for one key `seq` order is commit order: a reader that
 * has seen seq N can never later discover a committed change below N. Without the lock, two
 * overlapping transactions could commit seq 11 before seq 10, and an index that had applied 11
 * would skip 10 forever.
 */

export const FACE_CHANGES_CHANNEL = 'visage_faces';

export type Queryable = Pool | ClientBase;
export type FaceChangeOp = 'ADD' | 'DELETE';

/** Faces of one (tenant, model) in columnar form, so a batch goes to FAISS without per-face objects. */
export interface FaceBatch {
  faceIds: string[];
  personIds: string[];
  /** Row-major, faceIds.length × dim. */
  vectors: Float32Array;
  dim: number;
}

export interface FaceChange {
  seq: bigint;
  faceId: string;
  op: FaceChangeOp;
}

/** What the index layer needs from storage; `pgFaceIndexSource` is the real one. */
export interface FaceIndexSource {
  maxChangeSeq(tenantId: string, model: string): Promise<bigint>;
  countSearchable(tenantId: string, model: string): Promise<number>;
  streamSearchable(tenantId: string, model: string, batchSize?: number): AsyncIterable<FaceBatch>;
  changesSince(tenantId: string, model: string, afterSeq: bigint, limit: number): Promise<FaceChange[]>;
  fetchSearchable(tenantId: string, model: string, faceIds: readonly string[]): Promise<FaceBatch>;
}

export function pgFaceIndexSource(db: Queryable): FaceIndexSource {
  return {
    maxChangeSeq: (tenantId, model) => maxChangeSeq(db, tenantId, model),
    countSearchable: (tenantId, model) => countSearchable(db, tenantId, model),
    streamSearchable: (tenantId, model, batchSize) => streamSearchable(db, tenantId, model, batchSize),
    changesSince: (tenantId, model, afterSeq, limit) => changesSince(db, tenantId, model, afterSeq, limit),
    fetchSearchable: (tenantId, model, faceIds) => fetchSearchable(db, tenantId, model, faceIds),
  };
}

export async function maxChangeSeq(db: Queryable, tenantId: string, model: string): Promise<bigint> {
  const { rows } = await db.query<{ seq: string | null }>(
    `SELECT max(seq)::text AS seq FROM "FaceChange" WHERE "tenantId" = $1 AND model = $2`,
    [tenantId, model],
  );
  return BigInt(rows[0]?.seq ?? 0);
}

export async function countSearchable(db: Queryable, tenantId: string, model: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "Face" WHERE "tenantId" = $1 AND model = $2 AND searchable`,
    [tenantId, model],
  );
  return rows[0]?.n ?? 0;
}

/** Keyset-paginated by id, so each batch is a short query and memory stays at one batch. */
export async function* streamSearchable(
  db: Queryable,
  tenantId: string,
  model: string,
  batchSize = 5000,
): AsyncGenerator<FaceBatch> {
  let afterId = '0';
  for (;;) {
    const batch = await queryFaces(
      db,
      `SELECT id::text, "personId"::text, embedding FROM "Face"
        WHERE "tenantId" = $1 AND model = $2 AND searchable AND id > $3::bigint
        ORDER BY id LIMIT $4`,
      [tenantId, model, afterId, batchSize],
    );
    if (batch.faceIds.length === 0) return;
    yield batch;
    if (batch.faceIds.length < batchSize) return;
    afterId = batch.faceIds[batch.faceIds.length - 1]!;
  }
}

export async function fetchSearchable(
  db: Queryable,
  tenantId: string,
  model: string,
  faceIds: readonly string[],
): Promise<FaceBatch> {
  if (faceIds.length === 0) return { faceIds: [], personIds: [], vectors: new Float32Array(0), dim: 0 };
  return queryFaces(
    db,
    `SELECT id::text, "personId"::text, embedding FROM "Face"
      WHERE "tenantId" = $1 AND model = $2 AND searchable AND id = ANY($3::bigint[])
      ORDER BY id`,
    [tenantId, model, faceIds],
  );
}

export async function changesSince(
  db: Queryable,
  tenantId: string,
  model: string,
  afterSeq: bigint,
  limit: number,
): Promise<FaceChange[]> {
  const { rows } = await db.query<{ seq: string; faceId: string; op: FaceChangeOp }>(
    `SELECT seq::text, "faceId"::text AS "faceId", op::text AS op FROM "FaceChange"
      WHERE "tenantId" = $1 AND model = $2 AND seq > $3::bigint
      ORDER BY seq LIMIT $4`,
    [tenantId, model, afterSeq.toString(), limit],
  );
  return rows.map((r) => ({ seq: BigInt(r.seq), faceId: r.faceId, op: r.op }));
}

/**
 * Logs face changes and wakes every process's index sync. Call it inside the transaction that
 * changes the faces (NOTIFY is delivered on commit, and dropped on rollback): after marking faces
 * searchable (ADD), and before or after deleting them (DELETE; collect the ids first when a
 * cascade deletes them). Returns the highest seq written, or null when `faceIds` is empty.
 */
export async function recordFaceChanges(
  tx: ClientBase,
  tenantId: string,
  model: string,
  op: FaceChangeOp,
  faceIds: readonly (string | bigint)[],
): Promise<bigint | null> {
  if (faceIds.length === 0) return null;
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${tenantId}:${model}`]);
  const { rows } = await tx.query<{ seq: string }>(
    `INSERT INTO "FaceChange" ("tenantId", model, "faceId", op)
     SELECT $1, $2, f, $4::"FaceChangeOp" FROM unnest($3::bigint[]) AS f
     RETURNING seq::text`,
    [tenantId, model, faceIds.map(String), op],
  );
  const maxSeq = rows.reduce((max, r) => (BigInt(r.seq) > max ? BigInt(r.seq) : max), 0n);
  await tx.query(`SELECT pg_notify($1, $2)`, [FACE_CHANGES_CHANNEL, formatFaceChangePayload(tenantId, model, maxSeq)]);
  return maxSeq;
}

export interface FaceChangeNotice {
  tenantId: string;
  model: string;
  seq: bigint;
}

export function formatFaceChangePayload(tenantId: string, model: string, seq: bigint): string {
  return `${tenantId}:${model}:${seq}`;
}

/** Tenant ids are UUIDs and seqs are digits, so a model name may itself contain ':'. */
export function parseFaceChangePayload(payload: string): FaceChangeNotice | null {
  const first = payload.indexOf(':');
  const last = payload.lastIndexOf(':');
  if (first <= 0 || last <= first) return null;
  const seqText = payload.slice(last + 1);
  if (!/^\d+$/.test(seqText)) return null;
  return { tenantId: payload.slice(0, first), model: payload.slice(first + 1, last), seq: BigInt(seqText) };
}

/**
 * Binary result format: pgvector's binary form is (uint16 dim, uint16 unused, dim × float32 BE),
 * which decodes an order of magnitude faster than parsing '[0.1,...]' text and halves the bytes
 * on the wire. Every column comes back as a raw Buffer, whatever parsers the pool registered.
 */
async function queryFaces(db: Queryable, text: string, values: unknown[]): Promise<FaceBatch> {
  const config = { text, values, binary: true, rowMode: 'array', types: { getTypeParser: () => rawBuffer } };
  const { rows } = await db.query(config as unknown as QueryConfig);
  const n = rows.length;
  const faceIds = new Array<string>(n);
  const personIds = new Array<string>(n);
  let dim = 0;
  let vectors = new Float32Array(0);
  for (let i = 0; i < n; i++) {
    const [id, personId, embedding] = rows[i] as [Buffer, Buffer, Buffer];
    faceIds[i] = id.toString('latin1');
    personIds[i] = personId.toString('latin1');
    const d = embedding.readUInt16BE(0);
    if (i === 0) {
      dim = d;
      vectors = new Float32Array(n * dim);
    } else if (d !== dim) {
      throw new Error(`Face ${faceIds[i]} has a ${d}-d embedding where ${dim}-d was expected for one model.`);
    }
    const base = i * dim;
    for (let j = 0; j < dim; j++) vectors[base + j] = embedding.readFloatBE(4 + 4 * j);
  }
  return { faceIds, personIds, vectors, dim };
}

const rawBuffer = (value: unknown): unknown => value;
