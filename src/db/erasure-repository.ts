import type pg from 'pg';
import { galleryFaceRefs, inTransaction, recordFaceChanges } from './face-changes.js';
import { isUuid } from './ids.js';
import { writeAudit, type AuditActor } from './audit-write.js';

export interface ErasureReceipt {
  personId: string;
  faces: number;
  events: number;
  completedAt: Date;
  /** Embedding models whose indexes lost faces. */
  models: string[];
}

export function erasureRepository(pool: pg.Pool) {
  return {
    /**
     * Erases a person in one transaction: their recognition events, the person with every face,
     * session and vector (by cascade), the removal logged for every index, the details of every
     * audit row about them redacted, and one audit row saying an erasure happened. Null when there
     * is no such person in the tenant.
     */
    async erasePerson(tenantId: string, personId: string, actor: AuditActor): Promise<ErasureReceipt | null> {
      if (!isUuid(personId)) return null;
      return inTransaction(pool, async (client) => {
        const person = await client.query('SELECT id FROM "Person" WHERE "tenantId" = $1 AND id = $2 FOR UPDATE', [tenantId, personId]);
        if (person.rowCount === 0) return null;
        // Every gallery index holding one of their faces, read before the cascade removes the memberships.
        const searchable = { rows: await galleryFaceRefs(client, tenantId, { personIds: [personId] }) };
        const faces = await client.query('DELETE FROM "Face" WHERE "tenantId" = $1 AND "personId" = $2', [tenantId, personId]);
        const events = await client.query('DELETE FROM "RecognitionEvent" WHERE "tenantId" = $1 AND "personId" = $2', [tenantId, personId]);
        await client.query('DELETE FROM "Person" WHERE "tenantId" = $1 AND id = $2', [tenantId, personId]);
        await recordFaceChanges(client, tenantId, searchable.rows, 'DELETE');
        // Rows about the person (their create, updates, sessions, faces) keep action and time, lose details.
        await client.query(
          `UPDATE "AuditLog" SET details = '{"redacted": true}'::jsonb
            WHERE "tenantId" = $1 AND (target = $2 OR details->>'personId' = $2)`,
          [tenantId, personId],
        );
        const completed = await client.query<{ now: Date }>('SELECT now()');
        const receipt = { personId, faces: faces.rowCount ?? 0, events: events.rowCount ?? 0, completedAt: completed.rows[0]!.now };
        await writeAudit(client, tenantId, { actor, action: 'person.erase', target: personId, details: { faces: receipt.faces, events: receipt.events } });
        return { ...receipt, models: [...new Set(searchable.rows.map((f) => f.model))] };
      });
    },
  };
}

export type ErasureRepository = ReturnType<typeof erasureRepository>;
