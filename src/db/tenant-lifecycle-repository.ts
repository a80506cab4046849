import type pg from 'pg';
import { inTransaction } from './face-changes.js';
import { isUuid } from './ids.js';
import { writeAudit, writePlatformAudit } from './audit-write.js';

export type TenantStatus = 'ACTIVE' | 'SUSPENDED' | 'DELETING' | 'DELETED';

export interface TenantLifecycleRecord {
  id: string;
  name: string;
  slug: string;
  status: TenantStatus;
  statusChangedAt: Date | null;
  deletionProgress: Record<string, number>;
  deletedAt: Date | null;
  createdAt: Date;
}

/**
 * The tables a tenant deletion empties, children before parents so that no batch cascades into
 * an unbounded delete. Constant identifiers, never input: they are interpolated into SQL.
 */
export const TENANT_TABLES = ['IndexSnapshotChunk', 'IndexSnapshot', 'RecognitionEvent', 'FaceChange', 'FaceChangeCompaction', 'Face', 'EnrollmentSession', 'GalleryMember', 'Person', 'Gallery', 'AuditLog', 'ApiKey'] as const;
export type TenantTable = (typeof TENANT_TABLES)[number];

/** Each table's primary key (or a column standing in for it), which a batch selects and deletes by. */
const ROW_KEY: Record<TenantTable, string> = {
  IndexSnapshotChunk: 'id',
  IndexSnapshot: 'id',
  RecognitionEvent: 'id',
  FaceChange: 'seq',
  FaceChangeCompaction: '"indexKey"',
  Face: 'id',
  EnrollmentSession: 'id',
  // No single-column key: a batch takes whole people's memberships (at most their galleries each).
  GalleryMember: '"personId"',
  Gallery: 'id',
  Person: 'id',
  AuditLog: 'id',
  ApiKey: 'id',
};

const COLUMNS = `id, name, slug, status, "statusChangedAt", "deletionProgress", "deletedAt", "createdAt"`;

export function tenantLifecycleRepository(pool: pg.Pool) {
  return {
    async byId(tenantId: string): Promise<TenantLifecycleRecord | null> {
      if (!isUuid(tenantId)) return null;
      const { rows } = await pool.query<TenantLifecycleRecord>(`SELECT ${COLUMNS} FROM "Tenant" WHERE id = $1`, [tenantId]);
      return rows[0] ?? null;
    },

    /**
     * Moves a tenant from one of `from` to `to` and records it (tenant and platform audit) in the
     * same transaction. Returns the row after the change, or the unchanged row when it was not in
     * `from` (the caller decides whether that is an error), or null when there is no such tenant.
     */
    async transition(
      tenantId: string,
      from: readonly TenantStatus[],
      to: TenantStatus,
      audit: { action: string; details?: Record<string, unknown> },
    ): Promise<{ changed: boolean; tenant: TenantLifecycleRecord } | null> {
      if (!isUuid(tenantId)) return null;
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<TenantLifecycleRecord>(`SELECT ${COLUMNS} FROM "Tenant" WHERE id = $1 FOR UPDATE`, [tenantId]);
        const current = rows[0];
        if (!current) return null;
        if (!from.includes(current.status)) return { changed: false, tenant: current };
        const updated = await client.query<TenantLifecycleRecord>(
          `UPDATE "Tenant" SET status = $2::"TenantStatus", "statusChangedAt" = now(), "updatedAt" = now() WHERE id = $1 RETURNING ${COLUMNS}`,
          [tenantId, to],
        );
        const details = { from: current.status, to, ...audit.details };
        await writeAudit(client, tenantId, { actor: { type: 'PLATFORM' }, action: audit.action, target: tenantId, details });
        await writePlatformAudit(client, { tenantId, action: audit.action, target: tenantId, details: { slug: current.slug, ...details } });
        return { changed: true, tenant: updated.rows[0]! };
      });
    },

    /** Tenants whose deletion is requested but not finished: what a restarted worker resumes. */
    async deleting(): Promise<string[]> {
      const { rows } = await pool.query<{ id: string }>(`SELECT id FROM "Tenant" WHERE status = 'DELETING' ORDER BY "statusChangedAt"`);
      return rows.map((r) => r.id);
    },

    /** Of the given tenants, those no request may use any more (their indexes can go). */
    async retired(tenantIds: readonly string[]): Promise<string[]> {
      if (tenantIds.length === 0) return [];
      const { rows } = await pool.query<{ id: string }>(`SELECT id FROM "Tenant" WHERE id = ANY($1::uuid[]) AND status IN ('DELETING', 'DELETED')`, [tenantIds]);
      return rows.map((r) => r.id);
    },

    /**
     * Deletes up to `limit` rows of one table of a DELETING tenant and adds the count to its
     * progress, in one short transaction: a crash loses nothing, and a resumed run neither
     * double-counts nor holds a lock for longer than one batch.
     */
    async deleteBatch(tenantId: string, table: TenantTable, limit: number): Promise<number> {
      return inTransaction(pool, async (client) => {
        const key = ROW_KEY[table];
        const { rowCount } = await client.query(
          `DELETE FROM "${table}" WHERE ${key} IN (SELECT ${key} FROM "${table}" WHERE "tenantId" = $1 LIMIT $2)`,
          [tenantId, limit],
        );
        const removed = rowCount ?? 0;
        if (removed > 0) {
          await client.query(
            `UPDATE "Tenant" SET "deletionProgress" = jsonb_set("deletionProgress", ARRAY[$2::text], to_jsonb(COALESCE(("deletionProgress"->>$2)::bigint, 0) + $3)) WHERE id = $1`,
            [tenantId, table, removed],
          );
        }
        return removed;
      });
    },

    /**
     * The last step: the row stays as a tombstone (status, progress, dates) with its slug freed;
     * the platform audit row saying the deletion finished commits with it.
     */
    async finishDeletion(tenantId: string): Promise<boolean> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ slug: string; deletionProgress: Record<string, number> }>(
          `UPDATE "Tenant" SET status = 'DELETED', "deletedAt" = now(), "statusChangedAt" = now(), "updatedAt" = now(),
                  slug = id::text || '.deleted', settings = '{}'
            WHERE id = $1 AND status = 'DELETING' RETURNING slug, "deletionProgress"`,
          [tenantId],
        );
        if (rows.length === 0) return false;
        await writePlatformAudit(client, { tenantId, action: 'tenant.delete.complete', target: tenantId, details: { removed: rows[0]!.deletionProgress } });
        return true;
      });
    },
  };
}

export type TenantLifecycleRepository = ReturnType<typeof tenantLifecycleRepository>;
