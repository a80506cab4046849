import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { ClientBase, Pool, QueryConfig } from 'pg';
import type { FaceChangeOp } from './face-changes.js';
import { changeKeyJson, type ChangeKey } from './change-key.js';

/**
 * The reader side of the face-change contract (the writer side is `face-changes.ts`): what the
 * in-memory indexes read to build and to catch up, one (tenant, gallery, model) at a time: a
 * gallery's index holds the searchable faces of its members. Reading the log by `seq > applied` is
 * only complete if, for one key, seqs become visible in order; writers therefore take a
 * (tenant, model) transaction lock, which covers every gallery, before inserting FaceChange rows.
 */

export type Queryable = Pool | ClientBase;

/**
 * Embeddings travel as pgvector's binary send form (uint16 dim, uint16 unused, dim × float32 BE),
 * base64-encoded in SQL: node-postgres cannot receive binary result columns (it decodes every
 * field as UTF-8), and base64 is half the bytes of the '[0.1,...]' text with a native decoder
 * instead of number parsing. Every column arrives as the raw string, whatever parsers the pool has.
 */
const FACE_COLUMNS = `"Face".id::text, "Face"."personId"::text, encode(vector_send(embedding), 'base64')`;

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

/** One gallery's index of one embedding model: what the index layer keys its indexes by. */
export interface FaceIndexKey {
  tenantId: string;
  galleryId: string;
  model: string;
}

/** What the index layer needs from storage; `pgFaceIndexSource` is the real one. */
export interface FaceIndexSource {
  /** The log position of a key: its newest change, or where compaction deleted through if later. */
  maxChangeSeq(key: FaceIndexKey): Promise<bigint>;
  /** maxChangeSeq for many keys in one round trip, in the order given. */
  maxChangeSeqs(keys: readonly FaceIndexKey[]): Promise<bigint[]>;
  countSearchable(key: FaceIndexKey): Promise<number>;
  streamSearchable(key: FaceIndexKey, batchSize?: number): AsyncIterable<FaceBatch>;
  changesSince(key: FaceIndexKey, afterSeq: bigint, limit: number): Promise<FaceChange[]>;
  fetchSearchable(key: FaceIndexKey, faceIds: readonly string[]): Promise<FaceBatch>;
  /**
   * The highest seq of `key` that compaction deleted (0 if none). Read after changesSince: an
   * index applied to less than it has missed changes (the delete and the mark commit together).
   */
  compactedThrough(key: ChangeKey): Promise<bigint>;
}

export function pgFaceIndexSource(db: Queryable): FaceIndexSource {
  return {
    maxChangeSeq: (key) => maxChangeSeq(db, key),
    maxChangeSeqs: (keys) => maxChangeSeqs(db, keys),
    countSearchable: (key) => countSearchable(db, key),
    streamSearchable: (key, batchSize) => streamSearchable(db, key, batchSize),
    changesSince: (key, afterSeq, limit) => changesSince(db, key, afterSeq, limit),
    fetchSearchable: (key, faceIds) => fetchSearchable(db, key, faceIds),
    compactedThrough: (key) => compactedThrough(db, key),
  };
}

export async function maxChangeSeq(db: Queryable, key: FaceIndexKey): Promise<bigint> {
  return (await maxChangeSeqs(db, [key]))[0]!;
}

/** Where compaction has deleted a key's log through (the mark beside the rows it removed). */
const COMPACTED_THROUGH = `(SELECT x.seq FROM "FaceChangeCompaction" x WHERE x."indexKey" = k.key)`;

export async function compactedThrough(db: Queryable, key: ChangeKey): Promise<bigint> {
  const { rows } = await db.query<{ seq: string | null }>(`SELECT ${COMPACTED_THROUGH}::text AS seq FROM (SELECT $1::jsonb AS key) k`, [JSON.stringify(changeKeyJson(key))]);
  return BigInt(rows[0]?.seq ?? 0);
}

export async function maxChangeSeqs(db: Queryable, keys: readonly FaceIndexKey[]): Promise<bigint[]> {
  if (keys.length === 0) return [];
  // One index probe per key ("FaceChange_tenantId_galleryId_model_seq_idx"), each filtered by its
  // tenant; a key whose rows were compacted away is at its compaction mark.
  const { rows } = await db.query<{ seq: string | null }>(
    `SELECT GREATEST((SELECT max(c.seq) FROM "FaceChange" c WHERE c."tenantId" = k.t AND c."galleryId" = k.g AND c.model = k.m), ${COMPACTED_THROUGH})::text AS seq
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS k(t, g, m, key, i)
      ORDER BY k.i`,
    [keys.map((k) => k.tenantId), keys.map((k) => k.galleryId), keys.map((k) => k.model), keys.map((k) => JSON.stringify(changeKeyJson(k)))],
  );
  return rows.map((r) => BigInt(r.seq ?? 0));
}

// A gallery's index holds the searchable faces of its members: the join every read below shares.
// Joined on the membership key (galleryId, personId) only: the gallery is the tenant's (its faces
// are filtered by tenant), and a condition on m."tenantId" tempted the planner, with stale
// statistics after a bulk load, into scanning the tenant's memberships once per face.
const MEMBER_FACES = `"Face" JOIN "GalleryMember" m ON m."galleryId" = $2 AND m."personId" = "Face"."personId"`;

export async function countSearchable(db: Queryable, key: FaceIndexKey): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${MEMBER_FACES} WHERE "Face"."tenantId" = $1 AND model = $3 AND searchable`,
    [key.tenantId, key.galleryId, key.model],
  );
  return rows[0]?.n ?? 0;
}

/** Keyset-paginated by id, so each batch is a short query and memory stays at one batch. */
export async function* streamSearchable(db: Queryable, key: FaceIndexKey, batchSize = 5000): AsyncGenerator<FaceBatch> {
  const page = (afterId: string): Promise<FaceBatch> =>
    queryFaces(
      db,
      `SELECT ${FACE_COLUMNS} FROM ${MEMBER_FACES}
        WHERE "Face"."tenantId" = $1 AND model = $3 AND searchable AND "Face".id > $4::bigint
        ORDER BY "Face".id LIMIT $5`,
      [key.tenantId, key.galleryId, key.model, afterId, batchSize],
    );
  // The next page is requested before this one is handed over, so the database works while the
  // caller adds to FAISS.
  let next: Promise<FaceBatch> | null = page('0');
  while (next !== null) {
    const batch: FaceBatch = await next;
    if (batch.faceIds.length === 0) return;
    next = batch.faceIds.length < batchSize ? null : page(batch.faceIds[batch.faceIds.length - 1]!);
    // A consumer that stops early must not leave a rejected prefetch unhandled.
    next?.catch(() => undefined);
    yield batch;
  }
}

/** The given faces that the key's index should hold now: still stored, searchable, and their person still a member. */
export async function fetchSearchable(db: Queryable, key: FaceIndexKey, faceIds: readonly string[]): Promise<FaceBatch> {
  if (faceIds.length === 0) return { faceIds: [], personIds: [], vectors: new Float32Array(0), dim: 0 };
  return queryFaces(
    db,
    `SELECT ${FACE_COLUMNS} FROM ${MEMBER_FACES}
      WHERE "Face"."tenantId" = $1 AND model = $3 AND searchable AND "Face".id = ANY($4::bigint[])
      ORDER BY "Face".id`,
    [key.tenantId, key.galleryId, key.model, faceIds],
  );
}

export async function changesSince(db: Queryable, key: FaceIndexKey, afterSeq: bigint, limit: number): Promise<FaceChange[]> {
  const { rows } = await db.query<{ seq: string; faceId: string; op: FaceChangeOp }>(
    `SELECT seq::text, "faceId"::text AS "faceId", op::text AS op FROM "FaceChange"
      WHERE "tenantId" = $1 AND "galleryId" = $2 AND model = $3 AND seq > $4::bigint
      ORDER BY "FaceChange".seq LIMIT $5`,
    [key.tenantId, key.galleryId, key.model, afterSeq.toString(), limit],
  );
  return rows.map((r) => ({ seq: BigInt(r.seq), faceId: r.faceId, op: r.op }));
}

export interface FaceChangeNotice extends FaceIndexKey {
  seq: bigint;
}

/** `tenant:gallery:model:seq`. Tenant and gallery ids are UUIDs and seqs are digits, so a model name may itself contain ':'. */
export function parseFaceChangePayload(payload: string): FaceChangeNotice | null {
  const first = payload.indexOf(':');
  const second = payload.indexOf(':', first + 1);
  const last = payload.lastIndexOf(':');
  if (first <= 0 || second <= first + 1 || last <= second) return null;
  const seqText = payload.slice(last + 1);
  if (!/^\d+$/.test(seqText)) return null;
  return { tenantId: payload.slice(0, first), galleryId: payload.slice(first + 1, second), model: payload.slice(second + 1, last), seq: BigInt(seqText) };
}

async function queryFaces(db: Queryable, text: string, values: unknown[]): Promise<FaceBatch> {
  const config = { text, values, rowMode: 'array', types: { getTypeParser: () => rawString } };
  const { rows } = await db.query(config as unknown as QueryConfig);
  const n = rows.length;
  const faceIds = new Array<string>(n);
  const personIds = new Array<string>(n);
  let dim = 0;
  let vectors = new Float32Array(0);
  for (let i = 0; i < n; i++) {
    // 2.4-6 µs a row (loaded 2-core machine): a 5,000-face page in one go held the event loop 12-30 ms.
    if (i > 0 && i % ROWS_PER_TURN === 0) await yieldTurn();
    const [id, personId, embedding] = rows[i] as [string, string, string];
    faceIds[i] = id;
    personIds[i] = personId;
    const bytes = Buffer.from(embedding, 'base64');
    const d = bytes.readUInt16BE(0);
    if (i === 0) {
      dim = d;
      vectors = new Float32Array(n * dim);
    } else if (d !== dim) {
      throw new Error(`Face ${id} has a ${d}-d embedding where ${dim}-d was expected for one model.`);
    }
    readFloatsBE(bytes, vectors, i * dim, dim);
  }
  return { faceIds, personIds, vectors, dim };
}

const rawString = (value: string): string => value;
const ROWS_PER_TURN = 1000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Big-endian float32s after the 4-byte header: one native byte swap, then a typed-array copy. */
function readFloatsBE(bytes: Buffer, out: Float32Array, at: number, dim: number): void {
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0 && bytes.length === 4 + 4 * dim) {
    bytes.swap32(); // swaps the header too, which has been read already
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset + 4, dim), at);
    return;
  }
  for (let j = 0; j < dim; j++) out[at + j] = bytes.readFloatBE(4 + 4 * j);
}
