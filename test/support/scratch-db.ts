import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createServerDatabase } from './test-database.js';
import { galleryFaceRefs, inTransaction, recordFaceChanges } from '../../src/db/face-changes.js';

/** A scratch PostgreSQL database per test file, with a pool for direct SQL. */
export interface ScratchDb {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createScratchDb(): Promise<ScratchDb> {
  const server = await createServerDatabase();
  const pool = new pg.Pool({ connectionString: server.url, max: 4 });
  pool.on('error', () => undefined);
  return {
    url: server.url,
    pool,
    async drop() {
      await pool.end();
      await server.drop();
    },
  };
}

export const MODEL = 'test-8d';
export const DIM = 8;

/** A tenant with one gallery, one person in it and one enrollment session; returns their ids. */
export async function seedTenant(pool: pg.Pool): Promise<{ tenantId: string; galleryId: string; personId: string; sessionId: string }> {
  const tenantId = randomUUID();
  const galleryId = randomUUID();
  const personId = randomUUID();
  const sessionId = randomUUID();
  await pool.query(`INSERT INTO "Tenant" (id, name, slug, "updatedAt") VALUES ($1::uuid, $1::text, $1::text, now())`, [tenantId]);
  await addGallery(pool, tenantId, galleryId);
  await addPerson(pool, tenantId, personId, galleryId);
  await pool.query(
    `INSERT INTO "EnrollmentSession" (id, "tenantId", "personId", source, "updatedAt") VALUES ($1, $2, $3, 'IMAGES', now())`,
    [sessionId, tenantId, personId],
  );
  return { tenantId, galleryId, personId, sessionId };
}

/** The index key of a seeded tenant's gallery. */
export function indexKey(t: { tenantId: string; galleryId: string }, model = MODEL): { tenantId: string; galleryId: string; model: string } {
  return { tenantId: t.tenantId, galleryId: t.galleryId, model };
}

export async function addGallery(pool: pg.Pool, tenantId: string, galleryId: string): Promise<void> {
  await pool.query(`INSERT INTO "Gallery" (id, "tenantId", name, "updatedAt") VALUES ($1, $2, $3, now())`, [galleryId, tenantId, `g-${galleryId}`]);
}

/** A person, in `galleryId` when given (without logging: a new person has no faces yet). */
export async function addPerson(pool: pg.Pool, tenantId: string, personId: string, galleryId?: string): Promise<void> {
  await pool.query(
    `INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") VALUES ($1, $2, 'P', now()) ON CONFLICT DO NOTHING`,
    [personId, tenantId],
  );
  if (galleryId) {
    await pool.query(`INSERT INTO "GalleryMember" ("galleryId", "personId", "tenantId") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [galleryId, personId, tenantId]);
  }
}

/** One-hot-ish unit vector: distinct faces are √2 apart, the same index is distance 0. */
export function unitVector(i: number): number[] {
  const v = new Array<number>(DIM).fill(0);
  v[i % DIM] = 1;
  return v;
}

interface FaceInput {
  tenantId: string;
  personId: string;
  sessionId: string;
  vector: number[];
  searchable?: boolean;
  model?: string;
}

/** Inserts a face; a searchable one is logged as ADD in the same transaction, as enrollment does. */
export async function insertFace(pool: pg.Pool, face: FaceInput, log = true): Promise<string> {
  const model = face.model ?? MODEL;
  const searchable = face.searchable ?? true;
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "Face" ("tenantId", "personId", "sessionId", model, embedding, searchable,
                           "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore")
       VALUES ($1, $2, $3, $4, $5::vector, $6, 0, 0, 1, 1, 0.9) RETURNING id::text`,
      [face.tenantId, face.personId, face.sessionId, model, `[${face.vector.join(',')}]`, searchable],
    );
    const id = rows[0]!.id;
    if (searchable && log) await recordFaceChanges(client, face.tenantId, await galleryFaceRefs(client, face.tenantId, { faceIds: [id] }), 'ADD');
    return id;
  });
}

export async function deleteFace(pool: pg.Pool, tenantId: string, faceId: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    const refs = await galleryFaceRefs(client, tenantId, { faceIds: [faceId] });
    await client.query(`DELETE FROM "Face" WHERE "tenantId" = $1 AND id = $2`, [tenantId, faceId]);
    await recordFaceChanges(client, tenantId, refs, 'DELETE');
  });
}

export function query(i: number): Float32Array {
  return Float32Array.from(unitVector(i));
}

/** Polls until `check` passes or `ms` elapse; the last failure is rethrown. */
export async function eventually(check: () => Promise<void> | void, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
