import type pg from 'pg';
import type { Prisma, PrismaClient } from './generated/client.js';
import { galleryFaceRefs, inTransaction, recordFaceChanges } from './face-changes.js';
import { isUuid } from './ids.js';
import { auditData, writeAudit, type AuditActor } from './audit-write.js';
import { randomUUID } from 'node:crypto';
import { afterCursor, toPage, type Cursor, type Page } from './page.js';
import { isNotFound, rethrowKnown } from './prisma-errors.js';

export interface PersonRecord {
  id: string;
  tenantId: string;
  displayName: string;
  externalId: string | null;
  metadata: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface PersonInput {
  displayName?: string;
  externalId?: string | null;
  metadata?: Prisma.InputJsonValue;
}

const select = { id: true, tenantId: true, displayName: true, externalId: true, metadata: true, createdAt: true, updatedAt: true } as const;

/** LIKE wildcards and the escape character, taken literally (PostgreSQL escapes with a backslash). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** What an audit row keeps about a person: what was set, so that "who changed this" has an answer. */
function personDetails(input: PersonInput): Record<string, unknown> {
  const { displayName, externalId } = input;
  return { ...(displayName !== undefined ? { displayName } : {}), ...(externalId !== undefined ? { externalId } : {}), ...(input.metadata !== undefined ? { metadata: true } : {}) };
}

function conflict(err: unknown, externalId: string | null | undefined): never {
  rethrowKnown(err, `Another person in this tenant already has externalId "${externalId ?? ''}".`, 'externalId');
}

function memberOf(galleryIds: readonly string[] | undefined): Prisma.PersonWhereInput {
  return galleryIds ? { galleries: { some: { galleryId: { in: [...galleryIds] } } } } : {};
}

export function personRepository(prisma: PrismaClient, pool: pg.Pool) {
  return {
    /** With `actor`, the audit row (naming the person's details, which an erasure redacts) commits with it. */
    /** `galleryIds` (already checked to be the tenant's) are joined in the same transaction; a new person has no faces to log. */
    async create(tenantId: string, input: PersonInput & { displayName: string }, actor?: AuditActor, galleryIds: readonly string[] = []): Promise<PersonRecord> {
      const id = randomUUID();
      try {
        const [person] = await prisma.$transaction([
          prisma.person.create({ data: { id, tenantId, ...input, galleries: { create: galleryIds.map((galleryId) => ({ galleryId, tenantId })) } }, select }),
          ...(actor ? [prisma.auditLog.create({ data: auditData(tenantId, actor, 'person.create', id, personDetails(input)) })] : []),
        ]);
        return person as PersonRecord;
      } catch (err) {
        conflict(err, input.externalId);
      }
    },
    /** With `inGalleries` (a scoped key's), only a member of one of them is found. */
    async byId(tenantId: string, id: string, inGalleries?: readonly string[]): Promise<PersonRecord | null> {
      if (!isUuid(id)) return null;
      return prisma.person.findFirst({ where: { tenantId, id, ...memberOf(inGalleries) }, select });
    },
    /** On every identify: through pg, not Prisma, whose query pipeline cost more CPU than the read (bench:identify profile). */
    async byIds(tenantId: string, ids: readonly string[]): Promise<PersonRecord[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      // Named (prepared once per connection): every identify with a face runs it.
      const { rows } = await pool.query<PersonRecord>({
        name: 'visage-people-by-ids',
        text: `SELECT id::text AS id, "tenantId"::text AS "tenantId", "displayName", "externalId", metadata, "createdAt", "updatedAt" FROM "Person" WHERE "tenantId" = $1 AND id = ANY($2::uuid[])`,
        values: [tenantId, valid],
      });
      return rows;
    },
    async byExternalId(tenantId: string, externalId: string): Promise<PersonRecord | null> {
      return prisma.person.findFirst({ where: { tenantId, externalId }, select });
    },
    async update(tenantId: string, id: string, input: PersonInput, actor?: AuditActor): Promise<PersonRecord | null> {
      if (!isUuid(id)) return null;
      try {
        return await prisma.$transaction(async (tx) => {
          const { count } = await tx.person.updateMany({ where: { tenantId, id }, data: input });
          if (count === 0) return null;
          if (actor) await tx.auditLog.create({ data: auditData(tenantId, actor, 'person.update', id, personDetails(input)) });
          return tx.person.findFirst({ where: { tenantId, id }, select });
        });
      } catch (err) {
        if (isNotFound(err)) return null;
        conflict(err, input.externalId);
      }
    },
    async list(tenantId: string, args: { first: number; after?: Cursor; search?: string; inGalleries?: readonly string[] }): Promise<Page<PersonRecord>> {
      const where: Prisma.PersonWhereInput = { tenantId, ...memberOf(args.inGalleries) };
      if (args.search) {
        // Prisma passes `contains` to ILIKE unescaped: "%" would match everyone.
        where.OR = [{ displayName: { contains: escapeLike(args.search), mode: 'insensitive' } }, { externalId: args.search }];
      }
      const [rows, totalCount] = await Promise.all([
        prisma.person.findMany({ where: { ...where, ...afterCursor(args.after, 'asc') }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: args.first + 1, select }),
        prisma.person.count({ where }),
      ]);
      return toPage(rows, args.first, totalCount);
    },
    /**
     * Deletes the person with every face, session and vector (by cascade), and logs the removal
     * of their searchable faces so every process drops them from its index.
     */
    /** Returns the embedding models whose indexes lost faces, or null if there was no such person. */
    async delete(tenantId: string, id: string, actor?: AuditActor): Promise<string[] | null> {
      if (!isUuid(id)) return null;
      return inTransaction(pool, async (client) => {
        const person = await client.query('SELECT id FROM "Person" WHERE "tenantId" = $1 AND id = $2 FOR UPDATE', [tenantId, id]);
        if (person.rowCount === 0) return null;
        // Every gallery index holding one of their faces, read before the cascade removes the memberships.
        const refs = await galleryFaceRefs(client, tenantId, { personIds: [id] });
        const faces = await client.query('SELECT 1 FROM "Face" WHERE "tenantId" = $1 AND "personId" = $2 AND searchable', [tenantId, id]);
        await client.query('DELETE FROM "Person" WHERE "tenantId" = $1 AND id = $2', [tenantId, id]);
        await recordFaceChanges(client, tenantId, refs, 'DELETE');
        if (actor) await writeAudit(client, tenantId, { actor, action: 'person.delete', target: id, details: { faces: faces.rowCount ?? 0 } });
        return [...new Set(refs.map((f) => f.model))];
      });
    },
  };
}

export type PersonRepository = ReturnType<typeof personRepository>;
