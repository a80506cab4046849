import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { galleryFaceRefs, inTransaction, lockPeople, recordFaceChanges } from './face-changes.js';
import { isUuid } from './ids.js';
import { writeAudit, type AuditActor } from './audit-write.js';
import { toPage, type Cursor, type Page } from './page.js';

export const DEFAULT_GALLERY_NAME = 'default';

export interface GalleryRecord {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface GalleryCounts {
  /** Members. */
  personCount: number;
  /** Searchable faces of members (any model). */
  faceCount: number;
}

export type DeleteGalleryResult = { kind: 'deleted'; gallery: GalleryRecord } | { kind: 'notFound' } | { kind: 'scopedKeys'; keys: number };

/** Membership change: the people newly added (or removed), or the ids that are not people of the tenant. */
export type MembershipResult = { kind: 'changed'; personIds: string[]; models: string[] } | { kind: 'galleryNotFound' } | { kind: 'peopleNotFound'; ids: string[] };

const COLUMNS = `id::text, "tenantId"::text, name, description, "createdAt", "updatedAt"`;
const UNIQUE_VIOLATION = '23505';

function nameTaken(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}

export function galleryRepository(pool: pg.Pool) {
  /** Adds or removes memberships and logs the faces entering or leaving the gallery's index, in one transaction. */
  async function changeMembers(tenantId: string, galleryId: string, personIds: readonly string[], op: 'ADD' | 'DELETE', actor?: AuditActor): Promise<MembershipResult> {
    if (!isUuid(galleryId)) return { kind: 'galleryNotFound' };
    const wanted = [...new Set(personIds)];
    const malformed = wanted.filter((id) => !isUuid(id));
    if (malformed.length > 0) return { kind: 'peopleNotFound', ids: malformed };
    return inTransaction(pool, async (client) => {
      const gallery = await client.query('SELECT 1 FROM "Gallery" WHERE "tenantId" = $1 AND id = $2 FOR SHARE', [tenantId, galleryId]);
      if (gallery.rowCount === 0) return { kind: 'galleryNotFound' } as const;
      // Locked until commit: an enrollment of these people completing meanwhile waits, then logs its faces for this gallery too.
      const found = new Set(await lockPeople(client, tenantId, wanted));
      const missing = wanted.filter((id) => !found.has(id));
      if (missing.length > 0) return { kind: 'peopleNotFound', ids: missing } as const;
      let changed: string[];
      if (op === 'ADD') {
        const { rows } = await client.query<{ personId: string }>(
          `INSERT INTO "GalleryMember" ("galleryId", "personId", "tenantId") SELECT $2, unnest($3::uuid[]), $1
           ON CONFLICT DO NOTHING RETURNING "personId"::text`,
          [tenantId, galleryId, wanted],
        );
        changed = rows.map((r) => r.personId);
      } else {
        const { rows } = await client.query<{ personId: string }>(
          `SELECT "personId"::text FROM "GalleryMember" WHERE "tenantId" = $1 AND "galleryId" = $2 AND "personId" = ANY($3::uuid[])`,
          [tenantId, galleryId, wanted],
        );
        changed = rows.map((r) => r.personId);
      }
      // Read while the memberships join: after an ADD they exist, before a DELETE they still do.
      const refs = changed.length === 0 ? [] : await galleryFaceRefs(client, tenantId, { personIds: changed, galleryId });
      if (op === 'DELETE' && changed.length > 0) {
        await client.query(`DELETE FROM "GalleryMember" WHERE "tenantId" = $1 AND "galleryId" = $2 AND "personId" = ANY($3::uuid[])`, [tenantId, galleryId, changed]);
      }
      await recordFaceChanges(client, tenantId, refs, op);
      if (actor && changed.length > 0) {
        await writeAudit(client, tenantId, { actor, action: op === 'ADD' ? 'gallery.addPeople' : 'gallery.removePeople', target: galleryId, details: { personIds: changed, faces: refs.length } });
      }
      return { kind: 'changed', personIds: changed, models: [...new Set(refs.map((r) => r.model))] } as const;
    });
  }

  return {
    async create(tenantId: string, input: { name: string; description: string | null }, actor?: AuditActor): Promise<GalleryRecord | 'nameTaken'> {
      try {
        return await inTransaction(pool, async (client) => {
          const { rows } = await client.query<GalleryRecord>(
            `INSERT INTO "Gallery" (id, "tenantId", name, description, "updatedAt") VALUES ($1, $2, $3, $4, now()) RETURNING ${COLUMNS}`,
            [randomUUID(), tenantId, input.name, input.description],
          );
          if (actor) await writeAudit(client, tenantId, { actor, action: 'gallery.create', target: rows[0]!.id, details: { name: input.name } });
          return rows[0]!;
        });
      } catch (err) {
        if (nameTaken(err)) return 'nameTaken';
        throw err;
      }
    },

    async update(tenantId: string, id: string, input: { name?: string; description?: string | null }, actor?: AuditActor): Promise<GalleryRecord | null | 'nameTaken'> {
      if (!isUuid(id)) return null;
      try {
        return await inTransaction(pool, async (client) => {
          const { rows } = await client.query<GalleryRecord>(
            `UPDATE "Gallery" SET name = COALESCE($3, name), description = CASE WHEN $4::boolean THEN $5 ELSE description END, "updatedAt" = now()
              WHERE "tenantId" = $1 AND id = $2 RETURNING ${COLUMNS}`,
            [tenantId, id, input.name ?? null, input.description !== undefined, input.description ?? null],
          );
          if (rows[0] && actor) await writeAudit(client, tenantId, { actor, action: 'gallery.update', target: id, details: { ...input } });
          return rows[0] ?? null;
        });
      } catch (err) {
        if (nameTaken(err)) return 'nameTaken';
        throw err;
      }
    },

    /**
     * Refused while an active (unrevoked, unexpired) key is scoped to the gallery. The faces of its
     * members are logged as leaving its index, so every process empties it.
     */
    async delete(tenantId: string, id: string, actor?: AuditActor): Promise<DeleteGalleryResult> {
      if (!isUuid(id)) return { kind: 'notFound' };
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<GalleryRecord>(`SELECT ${COLUMNS} FROM "Gallery" WHERE "tenantId" = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
        const gallery = rows[0];
        if (!gallery) return { kind: 'notFound' } as const;
        const keys = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "ApiKey" WHERE "tenantId" = $1 AND $2::uuid = ANY("galleryIds") AND "revokedAt" IS NULL AND ("expiresAt" IS NULL OR "expiresAt" > now())`,
          [tenantId, id],
        );
        if (keys.rows[0]!.n > 0) return { kind: 'scopedKeys', keys: keys.rows[0]!.n } as const;
        await recordFaceChanges(client, tenantId, await galleryFaceRefs(client, tenantId, { galleryId: id }), 'DELETE');
        await client.query('DELETE FROM "Gallery" WHERE "tenantId" = $1 AND id = $2', [tenantId, id]);
        if (actor) await writeAudit(client, tenantId, { actor, action: 'gallery.delete', target: id, details: { name: gallery.name } });
        return { kind: 'deleted', gallery } as const;
      });
    },

    async byIds(tenantId: string, ids: readonly string[]): Promise<GalleryRecord[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      const { rows } = await pool.query<GalleryRecord>(`SELECT ${COLUMNS} FROM "Gallery" WHERE "tenantId" = $1 AND id = ANY($2::uuid[]) ORDER BY "createdAt", id`, [tenantId, valid]);
      return rows;
    },

    /** Oldest first; `onlyIds` narrows to a scoped key's galleries. */
    async list(tenantId: string, args: { first: number; after?: Cursor; onlyIds?: readonly string[] }): Promise<Page<GalleryRecord>> {
      const only = args.onlyIds ? [...args.onlyIds] : null;
      const [page, total] = await Promise.all([
        pool.query<GalleryRecord>(
          `SELECT ${COLUMNS} FROM "Gallery"
            WHERE "tenantId" = $1 AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
              AND ($3::timestamptz IS NULL OR ("createdAt", id) > ($3::timestamptz, $4::uuid))
            ORDER BY "createdAt", id LIMIT $5`,
          [tenantId, only, args.after?.createdAt ?? null, args.after?.id ?? null, args.first + 1],
        ),
        pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Gallery" WHERE "tenantId" = $1 AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))`, [tenantId, only]),
      ]);
      return toPage(page.rows, args.first, total.rows[0]!.n);
    },

    /** Members and their searchable faces, per gallery, in one query (for a page of galleries). */
    async counts(tenantId: string, ids: readonly string[]): Promise<Map<string, GalleryCounts>> {
      const { rows } = await pool.query<{ id: string; people: number; faces: number }>(
        `SELECT g.id::text,
                (SELECT count(*)::int FROM "GalleryMember" m WHERE m."galleryId" = g.id) AS people,
                (SELECT count(*)::int FROM "GalleryMember" m JOIN "Face" f ON f."personId" = m."personId" AND f.searchable WHERE m."galleryId" = g.id) AS faces
           FROM "Gallery" g WHERE g."tenantId" = $1 AND g.id = ANY($2::uuid[])`,
        [tenantId, ids.filter(isUuid)],
      );
      return new Map(rows.map((r) => [r.id, { personCount: r.people, faceCount: r.faces }]));
    },

    /** The galleries of each of these people, for Person.galleries. */
    async ofPeople(tenantId: string, personIds: readonly string[]): Promise<{ personId: string; gallery: GalleryRecord }[]> {
      const ids = personIds.filter(isUuid);
      if (ids.length === 0) return [];
      const { rows } = await pool.query<GalleryRecord & { personId: string }>(
        `SELECT m."personId"::text AS "personId", g.id::text, g."tenantId"::text, g.name, g.description, g."createdAt", g."updatedAt"
           FROM "GalleryMember" m JOIN "Gallery" g ON g.id = m."galleryId"
          WHERE m."tenantId" = $1 AND m."personId" = ANY($2::uuid[]) ORDER BY g."createdAt", g.id`,
        [tenantId, ids],
      );
      return rows.map(({ personId, ...gallery }) => ({ personId, gallery }));
    },

    addMembers: (tenantId: string, galleryId: string, personIds: readonly string[], actor?: AuditActor) => changeMembers(tenantId, galleryId, personIds, 'ADD', actor),
    removeMembers: (tenantId: string, galleryId: string, personIds: readonly string[], actor?: AuditActor) => changeMembers(tenantId, galleryId, personIds, 'DELETE', actor),
  };
}

export type GalleryRepository = ReturnType<typeof galleryRepository>;
