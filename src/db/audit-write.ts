import type pg from 'pg';

/** Who an audit row names as the actor. */
export type AuditActor = { type: 'KEY'; keyId: string } | { type: 'PLATFORM' } | { type: 'SYSTEM' };

export interface AuditEntry {
  actor: AuditActor;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

/**
 * Writes a tenant audit row on the caller's connection, so it commits or rolls back with the
 * change it records (call inside the change's transaction).
 */
export async function writeAudit(client: pg.ClientBase, tenantId: string, entry: AuditEntry): Promise<void> {
  await client.query(
    `INSERT INTO "AuditLog" (id, "tenantId", "actorKeyId", "actorType", action, target, details)
     VALUES (gen_random_uuid(), $1, $2, $3::"AuditActorType", $4, $5, $6::jsonb)`,
    [tenantId, entry.actor.type === 'KEY' ? entry.actor.keyId : null, entry.actor.type, entry.action, entry.target, JSON.stringify(entry.details ?? {})],
  );
}

/** The platform admin's own record: outlives the tenant it names. */
export async function writePlatformAudit(client: pg.ClientBase, entry: { tenantId: string | null; action: string; target: string; details?: Record<string, unknown> }): Promise<void> {
  await client.query(
    `INSERT INTO "PlatformAuditLog" (id, "tenantId", action, target, details) VALUES (gen_random_uuid(), $1, $2, $3, $4::jsonb)`,
    [entry.tenantId, entry.action, entry.target, JSON.stringify(entry.details ?? {})],
  );
}

/** The same row as Prisma create data, for writes that go through a Prisma transaction. */
export function auditData(tenantId: string, actor: AuditActor, action: string, target: string, details: Record<string, unknown> = {}) {
  return { tenantId, actorKeyId: actor.type === 'KEY' ? actor.keyId : null, actorType: actor.type, action, target, details: details as object };
}
