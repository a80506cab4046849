import type pg from 'pg';
import type { EventFilter } from './event-repository.js';

/** One exported event, flat, with the person's names joined in for the analyst's spreadsheet. */
export interface ExportedEvent {
  id: string;
  createdAt: Date;
  decision: string;
  personId: string | null;
  personDisplayName: string | null;
  personExternalId: string | null;
  distance: number | null;
  margin: number | null;
  votes: number | null;
  source: string | null;
  model: string;
  k1: number;
  k2: number;
  threshold: number;
  frames: number;
  latencyMs: number;
  faceQuality: number | null;
  trackId: number | null;
  boxX: number | null;
  boxY: number | null;
  boxWidth: number | null;
  boxHeight: number | null;
}

export const EXPORTED_EVENT_COLUMNS = [
  'id', 'createdAt', 'decision', 'personId', 'personDisplayName', 'personExternalId', 'distance', 'margin', 'votes', 'source', 'model',
  'k1', 'k2', 'threshold', 'frames', 'latencyMs', 'faceQuality', 'trackId', 'boxX', 'boxY', 'boxWidth', 'boxHeight',
] as const satisfies readonly (keyof ExportedEvent)[];

/**
 * A tenant's events oldest first, read in keyset batches of `batchSize` on (createdAt, id). Not a
 * server-side cursor: that would hold one connection (the only one, on the embedded database) and
 * one snapshot for the whole download; short queries let identify keep writing meanwhile.
 */
export function eventExportRepository(pool: pg.Pool) {
  return {
    async *stream(tenantId: string, filter: EventFilter, batchSize = 5000): AsyncGenerator<ExportedEvent[]> {
      const values: unknown[] = [tenantId];
      const where = ['e."tenantId" = $1::uuid'];
      const add = (sql: (p: string) => string, v: unknown) => {
        values.push(v);
        where.push(sql(`$${values.length}`));
      };
      if (filter.personId) add((p) => `e."personId" = ${p}::uuid`, filter.personId);
      if (filter.decision) add((p) => `e."decision" = ${p}::"RecognitionDecision"`, filter.decision);
      if (filter.source) add((p) => `e."source" = ${p}`, filter.source);
      if (filter.from) add((p) => `e."createdAt" >= ${p}`, filter.from);
      if (filter.to) add((p) => `e."createdAt" < ${p}`, filter.to);
      const n = values.length;
      let after: { createdAt: Date; id: string } | null = null;
      for (;;) {
        const keyset: string = after ? `AND (e."createdAt", e."id") > ($${n + 1}, $${n + 2}::uuid)` : '';
        const { rows }: { rows: ExportedEvent[] } = await pool.query<ExportedEvent>(
          `SELECT e."id", e."createdAt", e."decision", e."personId", p."displayName" AS "personDisplayName", p."externalId" AS "personExternalId",
             e."distance", e."margin", e."votes", e."source", e."model", e."k1", e."k2", e."threshold", e."frames", e."latencyMs",
             e."faceQuality", e."trackId", e."boxX", e."boxY", e."boxWidth", e."boxHeight"
           FROM "RecognitionEvent" e LEFT JOIN "Person" p ON p."id" = e."personId"
           WHERE ${where.join(' AND ')} ${keyset}
           ORDER BY e."createdAt", e."id" LIMIT ${batchSize}`,
          after ? [...values, after.createdAt, after.id] : values,
        );
        if (rows.length > 0) yield rows;
        if (rows.length < batchSize) return;
        const last: ExportedEvent = rows.at(-1)!;
        after = { createdAt: last.createdAt, id: last.id };
      }
    },
  };
}

export type EventExportRepository = ReturnType<typeof eventExportRepository>;
