import type pg from 'pg';
import { inTransaction } from './face-changes.js';
import { writeAudit, type AuditActor } from './audit-write.js';

export interface RetentionSettings {
  eventRetentionDays: number;
  auditRetentionDays: number;
  enrollmentSessionTtlMinutes: number;
}

export interface RetentionPolicy extends RetentionSettings {
  tenantId: string;
}

const SETTINGS = `"eventRetentionDays", "auditRetentionDays", "enrollmentSessionTtlMinutes"`;

/** Batched, age-based deletes: each batch is its own short transaction on an index range. */
export function retentionRepository(pool: pg.Pool) {
  async function deleteOlder(table: 'RecognitionEvent' | 'AuditLog', tenantId: string, before: Date, limit: number): Promise<number> {
    const { rowCount } = await pool.query(
      `DELETE FROM "${table}" WHERE id IN (SELECT id FROM "${table}" WHERE "tenantId" = $1 AND "createdAt" < $2 LIMIT $3)`,
      [tenantId, before, limit],
    );
    return rowCount ?? 0;
  }
  return {
    async settings(tenantId: string): Promise<RetentionSettings | null> {
      const { rows } = await pool.query<RetentionSettings>(`SELECT ${SETTINGS} FROM "Tenant" WHERE id = $1`, [tenantId]);
      return rows[0] ?? null;
    },
    /** Writes the settings and their audit row in one transaction. */
    async updateSettings(tenantId: string, next: RetentionSettings, actor: AuditActor): Promise<RetentionSettings> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<RetentionSettings>(
          `UPDATE "Tenant" SET "eventRetentionDays" = $2, "auditRetentionDays" = $3, "enrollmentSessionTtlMinutes" = $4, "updatedAt" = now()
            WHERE id = $1 RETURNING ${SETTINGS}`,
          [tenantId, next.eventRetentionDays, next.auditRetentionDays, next.enrollmentSessionTtlMinutes],
        );
        await writeAudit(client, tenantId, { actor, action: 'tenant.retention.update', target: tenantId, details: { ...next } });
        return rows[0]!;
      });
    },
    /** Tenants whose data is kept (a DELETING tenant is being emptied anyway). */
    async policies(): Promise<RetentionPolicy[]> {
      const { rows } = await pool.query<RetentionPolicy>(
        `SELECT id AS "tenantId", "eventRetentionDays", "auditRetentionDays", "enrollmentSessionTtlMinutes"
           FROM "Tenant" WHERE status IN ('ACTIVE', 'SUSPENDED') ORDER BY id`,
      );
      return rows;
    },
    purgeEvents: (tenantId: string, before: Date, limit: number) => deleteOlder('RecognitionEvent', tenantId, before, limit),
    purgeAudit: (tenantId: string, before: Date, limit: number) => deleteOlder('AuditLog', tenantId, before, limit),
    /**
     * Cancels OPEN sessions started before `before` (a client that died mid-enrollment never
     * finishes them) and deletes their faces, which were never searchable, so no index changes.
     */
    async expireSessions(tenantId: string, before: Date, limit: number): Promise<{ sessions: number; faces: number }> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ id: string; personId: string }>(
          `SELECT id, "personId" FROM "EnrollmentSession" WHERE "tenantId" = $1 AND status = 'OPEN' AND "createdAt" < $2
            ORDER BY "createdAt" LIMIT $3 FOR UPDATE SKIP LOCKED`,
          [tenantId, before, limit],
        );
        if (rows.length === 0) return { sessions: 0, faces: 0 };
        const ids = rows.map((r) => r.id);
        const faces = await client.query(`DELETE FROM "Face" WHERE "tenantId" = $1 AND "sessionId" = ANY($2::uuid[]) AND NOT searchable`, [tenantId, ids]);
        await client.query(
          `UPDATE "EnrollmentSession" SET status = 'CANCELLED', "updatedAt" = now(), "completedAt" = now(), stats = stats || '{"expired": 1}'::jsonb
            WHERE id = ANY($1::uuid[])`,
          [ids],
        );
        for (const r of rows) {
          await writeAudit(client, tenantId, { actor: { type: 'SYSTEM' }, action: 'enrollment.expire', target: r.id, details: { personId: r.personId } });
        }
        return { sessions: rows.length, faces: faces.rowCount ?? 0 };
      });
    },
  };
}

export type RetentionRepository = ReturnType<typeof retentionRepository>;
