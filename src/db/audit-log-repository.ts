import type pg from 'pg';
import { toPage, type Cursor, type Page } from './page.js';
import { isUuid } from './ids.js';

export interface AuditRecord {
  id: string;
  actorType: 'KEY' | 'PLATFORM' | 'SYSTEM';
  actorKeyId: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface PlatformAuditRecord {
  id: string;
  tenantId: string | null;
  action: string;
  target: string;
  details: Record<string, unknown>;
  createdAt: Date;
}

export interface AuditFilter {
  action?: string | null;
  actorKeyId?: string | null;
  targetId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** WHERE clauses shared by both logs: newest first, keyset on (createdAt, id). */
function conditions(filter: AuditFilter, after: Cursor | undefined, values: unknown[]): string[] {
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (filter.action) add((p) => `action = ${p}`, filter.action);
  if (filter.actorKeyId) add((p) => `"actorKeyId" = ${p}::uuid`, filter.actorKeyId);
  if (filter.targetId) add((p) => `target = ${p}`, filter.targetId);
  if (filter.from) add((p) => `"createdAt" >= ${p}`, filter.from);
  if (filter.to) add((p) => `"createdAt" < ${p}`, filter.to);
  if (after) {
    values.push(after.createdAt, after.id);
    where.push(`("createdAt", id) < ($${values.length - 1}, $${values.length}::uuid)`);
  }
  return where;
}

async function listPage<T>(pool: pg.Pool, table: string, columns: string, base: string[], baseValues: unknown[], args: { first: number; after?: Cursor; filter: AuditFilter }): Promise<Page<T>> {
  const countValues = [...baseValues];
  const countWhere = [...base, ...conditions(args.filter, undefined, countValues)];
  const values = [...baseValues];
  const where = [...base, ...conditions(args.filter, args.after, values)];
  const clause = (w: string[]) => (w.length > 0 ? `WHERE ${w.join(' AND ')}` : '');
  values.push(args.first + 1);
  const [rows, count] = await Promise.all([
    pool.query(`SELECT ${columns} FROM "${table}" ${clause(where)} ORDER BY "createdAt" DESC, id DESC LIMIT $${values.length}`, values),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" ${clause(countWhere)}`, countValues),
  ]);
  return toPage(rows.rows as T[], args.first, count.rows[0]!.n);
}

export function auditLogRepository(pool: pg.Pool) {
  return {
    async list(tenantId: string, args: { first: number; after?: Cursor; filter: AuditFilter }): Promise<Page<AuditRecord>> {
      if (args.filter.actorKeyId && !isUuid(args.filter.actorKeyId)) return { items: [], hasNextPage: false, totalCount: 0 };
      return listPage(pool, 'AuditLog', 'id, "actorType", "actorKeyId", action, target, details, "createdAt"', ['"tenantId" = $1'], [tenantId], args);
    },
    async listPlatform(args: { first: number; after?: Cursor; filter: Omit<AuditFilter, 'actorKeyId'> }): Promise<Page<PlatformAuditRecord>> {
      return listPage(pool, 'PlatformAuditLog', 'id, "tenantId", action, target, details, "createdAt"', [], [], args);
    },
  };
}

export type AuditLogRepository = ReturnType<typeof auditLogRepository>;
