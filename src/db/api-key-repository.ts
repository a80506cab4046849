import type { PrismaClient } from './generated/client.js';
import type { Role } from '../roles.js';
import { roleFromPrisma, roleToPrisma } from './role-mapping.js';
import { isUuid } from './ids.js';
import { afterCursor, toPage, type Cursor, type Page } from './page.js';

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const select = { id: true, tenantId: true, name: true, role: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } as const;

function toRecord<T extends { role: Parameters<typeof roleFromPrisma>[0] }>(row: T): Omit<T, 'role'> & { role: Role } {
  return { ...row, role: roleFromPrisma(row.role) };
}

const orNull = <T extends Parameters<typeof toRecord>[0]>(row: T | null) => (row ? toRecord(row) : null);

export function apiKeyRepository(prisma: PrismaClient) {
  return {
    async create(tenantId: string, input: { name: string; role: Role; prefix: string; secretHash: string }): Promise<ApiKeyRecord> {
      return toRecord(await prisma.apiKey.create({ data: { tenantId, ...input, role: roleToPrisma(input.role) }, select }));
    },
    /** The one lookup that is not tenant-scoped: authentication, before the tenant is known. */
    async byPrefixForAuth(prefix: string): Promise<(ApiKeyRecord & { secretHash: string }) | null> {
      return orNull(await prisma.apiKey.findUnique({ where: { prefix }, select: { ...select, secretHash: true } }));
    },
    async byId(tenantId: string, id: string): Promise<ApiKeyRecord | null> {
      if (!isUuid(id)) return null;
      return orNull(await prisma.apiKey.findFirst({ where: { tenantId, id }, select }));
    },
    /** Idempotent: revoking a revoked key returns it unchanged. Null when there is no such key. */
    async revoke(tenantId: string, id: string, at: Date): Promise<ApiKeyRecord | null> {
      if (!isUuid(id)) return null;
      const key = await prisma.apiKey.findFirst({ where: { tenantId, id }, select });
      if (!key || key.revokedAt) return orNull(key);
      return toRecord(await prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: at }, select }));
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
