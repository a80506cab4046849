import type pg from 'pg';
import type { Prisma, PrismaClient, TenantStatus } from './generated/client.js';
import type { ApiKeyRole } from './generated/enums.js';
import type { Role } from '../roles.js';
import { roleFromPrisma, roleToPrisma } from './role-mapping.js';
import { isUuid } from './ids.js';
import { afterCursor, toPage, type Cursor, type Page } from './page.js';
import { auditData, type AuditActor } from './audit-write.js';
import { randomUUID } from 'node:crypto';

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  /** Galleries the key is scoped to; empty when it is not scoped. */
  galleryIds: string[];
}

/** A key as authentication needs it: with its secret's hash and its tenant's status and stored settings. */
export type KeyForAuth = ApiKeyRecord & { secretHash: string; tenant: { status: TenantStatus; settings: unknown } };

type AuthRow = Omit<ApiKeyRecord, 'role'> & { role: ApiKeyRole; secretHash: string; tenantStatus: TenantStatus; tenantSettings: unknown };

export type RevokeResult = { kind: 'revoked'; key: ApiKeyRecord } | { kind: 'notFound' } | { kind: 'lastAdmin' };

const select = { id: true, tenantId: true, name: true, role: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true, galleryIds: true } as const;

function toRecord<T extends { role: Parameters<typeof roleFromPrisma>[0] }>(row: T): Omit<T, 'role'> & { role: Role } {
  return { ...row, role: roleFromPrisma(row.role) };
}

const orNull = <T extends Parameters<typeof toRecord>[0]>(row: T | null) => (row ? toRecord(row) : null);

export interface NewApiKey {
  name: string;
  role: Role;
  prefix: string;
  secretHash: string;
  expiresAt?: Date | null;
  galleryIds?: string[];
}

/** Inserts a key inside the caller's transaction (a new tenant's first key commits with the tenant). */
export async function insertApiKey(tx: Prisma.TransactionClient, tenantId: string, input: NewApiKey, id: string = randomUUID()): Promise<ApiKeyRecord> {
  return toRecord(await tx.apiKey.create({ data: { id, tenantId, ...input, role: roleToPrisma(input.role) }, select }));
}

export function apiKeyRepository(prisma: PrismaClient, pool: pg.Pool) {
  return {
    /** The key and its audit row (`action`, by `actor`) commit together. */
    async create(tenantId: string, input: NewApiKey, audit: { actor: AuditActor; action: string }): Promise<ApiKeyRecord> {
      return prisma.$transaction(async (tx) => {
        const key = await insertApiKey(tx, tenantId, input);
        await tx.auditLog.create({ data: auditData(tenantId, audit.actor, audit.action, key.id) });
        return key;
      });
    },
    /**
     * The one lookup that is not tenant-scoped: authentication, before the tenant is known. The
     * tenant's status and settings come in the same read (one round trip: Prisma's relation select
     * costs a second query), and identify needs no further read for its settings. With PostgreSQL
     * the app serves it from memory (cached-repositories.ts); the triggers of the read-cache
     * migration evict it when the key or the tenant's status or settings change. On every request, so through
     * pg, not Prisma, whose query pipeline cost more CPU than the read (bench:identify profile).
     */
    async byPrefixForAuth(prefix: string): Promise<KeyForAuth | null> {
      // Named (prepared once per connection): it runs on every request, and planning the join cost
      // PostgreSQL more than executing it (0.09-0.11 ms of backend CPU unnamed, 0.02-0.04 named).
      const { rows } = await pool.query<AuthRow>({
        name: 'visage-api-key-for-auth',
        text: `SELECT k."id"::text AS "id", k."tenantId"::text AS "tenantId", k."name", k."role"::text AS "role", k."prefix", k."createdAt", k."lastUsedAt",
                k."revokedAt", k."expiresAt", k."galleryIds"::text[] AS "galleryIds", k."secretHash", t."status"::text AS "tenantStatus", t."settings" AS "tenantSettings"
         FROM "ApiKey" k JOIN "Tenant" t ON t."id" = k."tenantId"
         WHERE k."prefix" = $1`,
        values: [prefix],
      });
      const row = rows[0];
      if (!row) return null;
      const { tenantStatus, tenantSettings, role, ...key } = row;
      return { ...key, role: roleFromPrisma(role), tenant: { status: tenantStatus, settings: tenantSettings } };
    },
    async byId(tenantId: string, id: string): Promise<ApiKeyRecord | null> {
      if (!isUuid(id)) return null;
      return orNull(await prisma.apiKey.findFirst({ where: { tenantId, id }, select }));
    },
    /**
     * Idempotent: revoking a revoked key returns it unchanged (and audits nothing: nothing changed).
     * Refuses to revoke the tenant's last active ADMIN key; the tenant row is locked so two
     * concurrent revocations of its last two ADMIN keys cannot both pass the count. The audit row
     * commits with the revocation.
     */
    async revoke(tenantId: string, id: string, at: Date, actor: AuditActor): Promise<RevokeResult> {
      if (!isUuid(id)) return { kind: 'notFound' };
      return prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "Tenant" WHERE "id" = ${tenantId}::uuid FOR UPDATE`;
        const key = await tx.apiKey.findFirst({ where: { tenantId, id }, select });
        if (!key) return { kind: 'notFound' } as const;
        if (key.revokedAt) return { kind: 'revoked', key: toRecord(key) } as const;
        if (key.role === 'ADMIN' && (await tx.apiKey.count({ where: { tenantId, role: 'ADMIN', revokedAt: null } })) <= 1) return { kind: 'lastAdmin' } as const;
        const revoked = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: at }, select });
        await tx.auditLog.create({ data: auditData(tenantId, actor, 'apiKey.revoke', key.id) });
        return { kind: 'revoked', key: toRecord(revoked) } as const;
      });
    },
    /** Compare-and-set, so two processes migrating the same legacy key write it once. */
    async replaceSecretHash(tenantId: string, id: string, previous: string, next: string): Promise<void> {
      await prisma.apiKey.updateMany({ where: { tenantId, id, secretHash: previous }, data: { secretHash: next } });
    },
    async touch(tenantId: string, id: string, at: Date): Promise<void> {
      await prisma.apiKey.updateMany({ where: { tenantId, id }, data: { lastUsedAt: at } });
    },
    async list(tenantId: string, first: number, after: Cursor | undefined): Promise<Page<ApiKeyRecord>> {
      const [rows, totalCount] = await Promise.all([
        prisma.apiKey.findMany({ where: { tenantId, ...afterCursor(after, 'asc') }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: first + 1, select }),
        prisma.apiKey.count({ where: { tenantId } }),
      ]);
      return toPage(rows.map(toRecord), first, totalCount);
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof apiKeyRepository>;
