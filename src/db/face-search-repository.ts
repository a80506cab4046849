import type pg from 'pg';
import { vectorLiteral } from './enrollment-repository.js';
import { isFaceId, isUuid } from './ids.js';

/** Exact pgvector reads that the per-tenant FAISS index does not answer: one person's faces, one face's vector. */
export function faceSearchRepository(pool: pg.Pool) {
  return {
    /** The nearest searchable face of one person (1:1 verification), by L2 distance. */
    async nearestFaceOfPerson(tenantId: string, personId: string, model: string, embedding: Float32Array): Promise<{ faceId: string; distance: number } | null> {
      if (!isUuid(personId)) return null;
      const { rows } = await pool.query<{ faceId: string; distance: number }>(
        `SELECT id::text AS "faceId", embedding <-> $4::vector AS distance FROM "Face"
          WHERE "tenantId" = $1 AND "personId" = $2 AND model = $3 AND searchable ORDER BY distance LIMIT 1`,
        [tenantId, personId, model, vectorLiteral(embedding)],
      );
      return rows[0] ?? null;
    },

    /** A stored face's embedding and model; null for an unknown id or another tenant's. */
    async embedding(tenantId: string, faceId: string): Promise<{ model: string; embedding: Float32Array } | null> {
      if (!isFaceId(faceId)) return null;
      const { rows } = await pool.query<{ model: string; embedding: string }>(`SELECT model, embedding::text AS embedding FROM "Face" WHERE "tenantId" = $1 AND id = $2::bigint`, [tenantId, faceId]);
      const row = rows[0];
      return row ? { model: row.model, embedding: Float32Array.from(JSON.parse(row.embedding) as number[]) } : null;
    },
  };
}

export type FaceSearchRepository = ReturnType<typeof faceSearchRepository>;
