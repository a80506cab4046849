import { requirePlatform, requireTenant, type Viewer } from '../auth/index.js';
import { checkPageSize, decodeCursor, type Page } from '../db/index.js';
import type { AuditFilter, AuditLogRepository, AuditRecord, PlatformAuditRecord } from '../db/audit-log-repository.js';
import { badInput } from '../errors.js';

const MAX_ACTION = 100;

function checkFilter<F extends AuditFilter>(filter: F | null | undefined): F {
  const f = (filter ?? {}) as F;
  if (f.action && f.action.length > MAX_ACTION) throw badInput('filter.action', `action is at most ${MAX_ACTION} characters, e.g. "person.erase".`);
  if (f.from && f.to && f.from >= f.to) throw badInput('filter.to', '"to" must be after "from".');
  return f;
}

/** Reading the audit logs: a tenant's own (ADMIN keys) and the platform admin's. */
export function createAuditService({ auditLog }: { auditLog: AuditLogRepository }) {
  return {
    async list(viewer: Viewer, args: { first: number; after?: string | null; filter?: AuditFilter | null }): Promise<Page<AuditRecord>> {
      const v = requireTenant(viewer, 'readAudit');
      const cursor = decodeCursor(args.after);
      return auditLog.list(v.tenantId, { first: checkPageSize(args.first), ...(cursor ? { after: cursor } : {}), filter: checkFilter(args.filter) });
    },
    async listPlatform(viewer: Viewer, args: { first: number; after?: string | null; filter?: Omit<AuditFilter, 'actorKeyId'> | null }): Promise<Page<PlatformAuditRecord>> {
      requirePlatform(viewer);
      const cursor = decodeCursor(args.after);
      return auditLog.listPlatform({ first: checkPageSize(args.first), ...(cursor ? { after: cursor } : {}), filter: checkFilter(args.filter) });
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
