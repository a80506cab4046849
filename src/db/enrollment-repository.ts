import type pg from 'pg';
import type { PrismaClient } from './generated/client.js';
import type { EnrollmentStatus } from '../domain/enrollment-status.js';
import type { EnrollmentSource } from '../domain/enrollment-source.js';
import { galleryFaceRefs, inTransaction, lockPeople, recordFaceChanges } from './face-changes.js';
import { isFaceId, isUuid } from './ids.js';
import { auditData, writeAudit, type AuditActor } from './audit-write.js';
import { randomUUID } from 'node:crypto';

export interface SessionRecord {
  id: string;
  tenantId: string;
  personId: string;
  status: EnrollmentStatus;
  source: EnrollmentSource;
  imagesAccepted: number;
  imagesRejected: number;
  stats: Record<string, number>;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface NewFace {
  model: string;
  embedding: Float32Array;
  box: { x: number; y: number; width: number; height: number };
  detectionScore: number;
  quality: Record<string, number>;
}

export interface FaceRecord {
  id: string;
  personId: string;
  sessionId: string;
  model: string;
  searchable: boolean;
  box: { x: number; y: number; width: number; height: number };
  detectionScore: number;
  quality: Record<string, number>;
  createdAt: Date;
}

const sessionSelect = {
  id: true, tenantId: true, personId: true, status: true, source: true, imagesAccepted: true,
  imagesRejected: true, stats: true, createdAt: true, updatedAt: true, completedAt: true,
} as const;

export function vectorLiteral(v: Float32Array): string {
  return `[${Array.from(v).join(',')}]`;
}

const FACE_COLUMNS = `id::text AS id, "personId"::text AS "personId", "sessionId"::text AS "sessionId", model, searchable,
  "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore", quality, "createdAt"`;

interface FaceRow {
  id: string; personId: string; sessionId: string; model: string; searchable: boolean;
  boxX: number; boxY: number; boxWidth: number; boxHeight: number; detectionScore: number;
  quality: Record<string, number>; createdAt: Date;
}

function toFace(r: FaceRow): FaceRecord {
  return {
    id: r.id, personId: r.personId, sessionId: r.sessionId, model: r.model, searchable: r.searchable,
    box: { x: r.boxX, y: r.boxY, width: r.boxWidth, height: r.boxHeight },
    detectionScore: r.detectionScore, quality: r.quality, createdAt: r.createdAt,
  };
}

/** Enrollment sessions and the faces they add. Vector SQL is plain SQL on the `pg` pool. */
export function enrollmentRepository(prisma: PrismaClient, pool: pg.Pool) {
  return {
    async createSession(tenantId: string, personId: string, source: EnrollmentSource, actor?: AuditActor): Promise<SessionRecord> {
      const id = randomUUID();
      const [session] = await prisma.$transaction([
        prisma.enrollmentSession.create({ data: { id, tenantId, personId, source }, select: sessionSelect }),
        ...(actor ? [prisma.auditLog.create({ data: auditData(tenantId, actor, 'enrollment.start', id, { personId, source }) })] : []),
      ]);
      return session as SessionRecord;
    },

    async session(tenantId: string, id: string): Promise<SessionRecord | null> {
      if (!isUuid(id)) return null;
      return (await prisma.enrollmentSession.findFirst({ where: { tenantId, id }, select: sessionSelect })) as SessionRecord | null;
    },

    async sessionsOfPerson(tenantId: string, personId: string): Promise<SessionRecord[]> {
      return (await prisma.enrollmentSession.findMany({ where: { tenantId, personId }, orderBy: { createdAt: 'desc' }, take: 100, select: sessionSelect })) as SessionRecord[];
    },

    /** Adds the accepted faces (not yet searchable) and the batch's counts, atomically. */
    async addToSession(tenantId: string, sessionId: string, personId: string, faces: readonly NewFace[], rejections: Record<string, number>, extraStats: Record<string, number> = {}): Promise<string[]> {
      return inTransaction(pool, async (client) => {
        const ids: string[] = [];
        for (const f of faces) {
          const { rows } = await client.query<{ id: string }>(
            `INSERT INTO "Face" ("tenantId", "personId", "sessionId", model, embedding, searchable, "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore", quality)
             VALUES ($1, $2, $3, $4, $5::vector, false, $6, $7, $8, $9, $10, $11) RETURNING id::text AS id`,
            [tenantId, personId, sessionId, f.model, vectorLiteral(f.embedding), f.box.x, f.box.y, f.box.width, f.box.height, f.detectionScore, JSON.stringify(f.quality)],
          );
          ids.push(rows[0]!.id);
        }
        const { rows: current } = await client.query<{ stats: Record<string, number> }>(
          `SELECT stats FROM "EnrollmentSession" WHERE "tenantId" = $1 AND id = $2 FOR UPDATE`,
          [tenantId, sessionId],
        );
        const stats = { ...(current[0]?.stats ?? {}) };
        for (const [k, v] of Object.entries({ ...rejections, ...extraStats })) stats[k] = (stats[k] ?? 0) + v;
        const rejected = Object.values(rejections).reduce((a, b) => a + b, 0);
        await client.query(
          `UPDATE "EnrollmentSession"
              SET "imagesAccepted" = "imagesAccepted" + $3, "imagesRejected" = "imagesRejected" + $4, stats = $5, "updatedAt" = now()
            WHERE "tenantId" = $1 AND id = $2`,
          [tenantId, sessionId, faces.length, rejected, JSON.stringify(stats)],
        );
        return ids;
      });
    },

    /** Distance from `embedding` to the nearest face of the same person and model, if any. */
    async nearestOwnFaceDistance(tenantId: string, personId: string, model: string, embedding: Float32Array): Promise<number | null> {
      const { rows } = await pool.query<{ d: number }>(
        `SELECT embedding <-> $4::vector AS d FROM "Face"
          WHERE "tenantId" = $1 AND "personId" = $2 AND model = $3 ORDER BY d LIMIT 1`,
        [tenantId, personId, model, vectorLiteral(embedding)],
      );
      return rows[0]?.d ?? null;
    },

    /**
     * Ends an OPEN session. COMPLETED makes its faces searchable and logs them for every index;
     * CANCELLED or FAILED deletes them. Returns null when the session is not OPEN any more.
     */
    async finishSession(tenantId: string, sessionId: string, status: 'COMPLETED' | 'CANCELLED' | 'FAILED', actor?: AuditActor): Promise<SessionRecord | null> {
      const done = await inTransaction(pool, async (client) => {
        const locked = await client.query<{ personId: string }>(`SELECT "personId" FROM "EnrollmentSession" WHERE "tenantId" = $1 AND id = $2 AND status = 'OPEN' FOR UPDATE`, [tenantId, sessionId]);
        if (locked.rowCount === 0) return false;
        let faceIds: string[];
        if (status === 'COMPLETED') {
          // Held until commit, so a gallery the person joins meanwhile logs these faces too.
          await lockPeople(client, tenantId, [locked.rows[0]!.personId]);
          const { rows } = await client.query<{ id: string; model: string }>(
            `UPDATE "Face" SET searchable = true WHERE "tenantId" = $1 AND "sessionId" = $2 RETURNING id::text AS id, model`,
            [tenantId, sessionId],
          );
          faceIds = rows.map((r) => r.id);
          await recordFaceChanges(client, tenantId, await galleryFaceRefs(client, tenantId, { faceIds }), 'ADD');
        } else {
          const { rows } = await client.query<{ id: string }>(`DELETE FROM "Face" WHERE "tenantId" = $1 AND "sessionId" = $2 RETURNING id::text AS id`, [tenantId, sessionId]);
          faceIds = rows.map((r) => r.id);
        }
        // The faces a completion makes searchable are the audited face additions.
        if (actor) await writeAudit(client, tenantId, { actor, action: `enrollment.${status.toLowerCase()}`, target: sessionId, details: { personId: locked.rows[0]!.personId, faceIds } });
        await client.query(
          `UPDATE "EnrollmentSession" SET status = $3::"EnrollmentStatus", "updatedAt" = now(), "completedAt" = now() WHERE "tenantId" = $1 AND id = $2`,
          [tenantId, sessionId, status],
        );
        return true;
      });
      return done ? this.session(tenantId, sessionId) : null;
    },

    async face(tenantId: string, id: string): Promise<FaceRecord | null> {
      if (!isFaceId(id)) return null;
      const { rows } = await pool.query<FaceRow>(`SELECT ${FACE_COLUMNS} FROM "Face" WHERE "tenantId" = $1 AND id = $2`, [tenantId, id]);
      return rows[0] ? toFace(rows[0]) : null;
    },

    async facesOfPerson(tenantId: string, personId: string): Promise<FaceRecord[]> {
      const { rows } = await pool.query<FaceRow>(`SELECT ${FACE_COLUMNS} FROM "Face" WHERE "tenantId" = $1 AND "personId" = $2 ORDER BY id LIMIT 500`, [tenantId, personId]);
      return rows.map(toFace);
    },

    /** facesOfPerson for many people in one query (each still capped at 500), for DataLoader. */
    async facesOfPeople(tenantId: string, personIds: readonly string[]): Promise<FaceRecord[]> {
      const ids = personIds.filter(isUuid);
      if (ids.length === 0) return [];
      const { rows } = await pool.query<FaceRow>(
        `SELECT ${FACE_COLUMNS} FROM (
           SELECT *, row_number() OVER (PARTITION BY "personId" ORDER BY id) AS rank
           FROM "Face" WHERE "tenantId" = $1 AND "personId" = ANY($2::uuid[])
         ) f WHERE rank <= 500 ORDER BY id`,
        [tenantId, ids],
      );
      return rows.map(toFace);
    },

    async facesOfSession(tenantId: string, sessionId: string): Promise<FaceRecord[]> {
      const { rows } = await pool.query<FaceRow>(`SELECT ${FACE_COLUMNS} FROM "Face" WHERE "tenantId" = $1 AND "sessionId" = $2 ORDER BY id`, [tenantId, sessionId]);
      return rows.map(toFace);
    },

    /** Deletes one face (vector included) and logs the removal if it was searchable. */
    async deleteFace(tenantId: string, id: string, actor?: AuditActor): Promise<FaceRecord | null> {
      if (!isFaceId(id)) return null;
      return inTransaction(pool, async (client) => {
        // The galleries whose indexes hold the face, read while it still joins its person's memberships.
        const refs = await galleryFaceRefs(client, tenantId, { faceIds: [id] });
        const { rows } = await client.query<FaceRow>(`DELETE FROM "Face" WHERE "tenantId" = $1 AND id = $2 RETURNING ${FACE_COLUMNS}`, [tenantId, id]);
        const face = rows[0];
        if (!face) return null;
        if (actor) await writeAudit(client, tenantId, { actor, action: 'face.delete', target: id, details: { personId: face.personId } });
        await recordFaceChanges(client, tenantId, refs, 'DELETE');
        return toFace(face);
      });
    },

    async countFacesOfOtherModels(tenantId: string, model: string): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Face" WHERE "tenantId" = $1 AND model <> $2`, [tenantId, model]);
      return Number(rows[0]?.n ?? 0);
    },

    async countFaces(tenantId: string, personId: string): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM "Face" WHERE "tenantId" = $1 AND "personId" = $2 AND searchable`, [tenantId, personId]);
      return Number(rows[0]?.n ?? 0);
    },
  };
}

export type EnrollmentRepository = ReturnType<typeof enrollmentRepository>;
