import type pg from 'pg';
import { inTransaction } from './face-changes.js';
import { isUuid } from './ids.js';
import { writeAudit, type AuditActor } from './audit-write.js';
import type { ApiKeyRecord } from './api-key-repository.js';

const COLUMNS = `id, "tenantId", name, role, prefix, "createdAt", "lastUsedAt", "revokedAt", "expiresAt", "galleryIds"::text[] AS "galleryIds"`;

export function keyRotationRepository(pool: pg.Pool) {
  return {
    /**
     * Issues the replacement of a live key (same name and role) and makes the old one expire at
     * `graceUntil` (never later than it already would), with the audit row, in one transaction.
     * Null when there is no such key; `{ refused }` when it is revoked or expired already.
     */
    async rotate(
      tenantId: string,
      id: string,
      replacement: { prefix: string; secretHash: string },
      graceUntil: Date,
      actor: AuditActor,
    ): Promise<{ old: ApiKeyRecord; created: ApiKeyRecord } | { refused: 'revoked' | 'expired' } | null> {
      if (!isUuid(id)) return null;
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<ApiKeyRecord>(`SELECT ${COLUMNS} FROM "ApiKey" WHERE "tenantId" = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
        const old = rows[0];
        if (!old) return null;
        if (old.revokedAt) return { refused: 'revoked' as const };
        const now = (await client.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
        if (old.expiresAt && old.expiresAt <= now) return { refused: 'expired' as const };
        const created = await client.query<ApiKeyRecord>(
          `INSERT INTO "ApiKey" (id, "tenantId", name, role, prefix, "secretHash", "expiresAt", "galleryIds")
           VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7::uuid[]) RETURNING ${COLUMNS}`,
          [tenantId, old.name, old.role, replacement.prefix, replacement.secretHash, null, old.galleryIds],
        );
        const updated = await client.query<ApiKeyRecord>(
          `UPDATE "ApiKey" SET "expiresAt" = LEAST(COALESCE("expiresAt", $2), $2) WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, graceUntil],
        );
        await writeAudit(client, tenantId, { actor, action: 'apiKey.rotate', target: id, details: { replacedBy: created.rows[0]!.id, oldKeyExpiresAt: updated.rows[0]!.expiresAt } });
        return { old: updated.rows[0]!, created: created.rows[0]! };
      });
    },
  };
}

export type KeyRotationRepository = ReturnType<typeof keyRotationRepository>;
