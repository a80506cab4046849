import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { IDS_PER_NOTICE, RECOGNITION_EVENTS_CHANNEL } from './event-feed.js';
import type { Prisma, PrismaClient } from './generated/client.js';
import type { RecognitionDecision } from '../domain/recognition-decision.js';
import { afterCursor, toPage, type Cursor, type Page } from './page.js';
import { isUuid } from './ids.js';

export interface NewRecognitionEvent {
  personId: string | null;
  decision: RecognitionDecision;
  distance: number | null;
  votes: number | null;
  k1: number;
  k2: number;
  threshold: number;
  model: string;
  source: string | null;
  frames: number;
  latencyMs: number;
  box: { x: number; y: number; width: number; height: number } | null;
  /** Fixed by the caller when the event may be written later (the outage buffer); else new. */
  id?: string;
  /** Sharpness of the probe face; null for NO_FACE. */
  faceQuality?: number | null;
  /** Distance to the runner-up person minus the decision's distance (src/identify/margin.ts). */
  margin?: number | null;
  /** The track this event decides, for frames and video. */
  trackId?: number | null;
  /** When it happened: fixed at identify time so a buffered event keeps it; now when absent. */
  createdAt?: Date;
  /** The galleries searched (empty for events written before galleries existed). */
  galleryIds?: readonly string[];
  /** false for a call's second and later faces or tracks, so reports count calls; absent means true. */
  callStart?: boolean;
}

export interface RecognitionEventRecord extends Omit<NewRecognitionEvent, 'box' | 'id' | 'faceQuality' | 'margin' | 'trackId' | 'createdAt' | 'galleryIds'> {
  galleryIds: string[];
  id: string;
  createdAt: Date;
  box: NewRecognitionEvent['box'];
  faceQuality: number | null;
  margin: number | null;
  trackId: number | null;
}

export interface EventFilter {
  personId?: string | null;
  decision?: RecognitionDecision | null;
  source?: string | null;
  from?: Date | null;
  to?: Date | null;
}

const select = {
  id: true, personId: true, decision: true, distance: true, votes: true, k1: true, k2: true, threshold: true, model: true,
  source: true, frames: true, latencyMs: true, boxX: true, boxY: true, boxWidth: true, boxHeight: true, faceQuality: true, margin: true, trackId: true, createdAt: true, galleryIds: true,
} as const;

type Row = Prisma.RecognitionEventGetPayload<{ select: typeof select }>;

function toRecord(r: Row): RecognitionEventRecord {
  const { boxX, boxY, boxWidth, boxHeight, ...rest } = r;
  return { ...rest, box: boxX === null || boxY === null || boxWidth === null || boxHeight === null ? null : { x: boxX, y: boxY, width: boxWidth, height: boxHeight } };
}

export interface EventRepositoryOptions {
  /**
   * Announce each insert on RECOGNITION_EVENTS_CHANNEL from the insert statement itself (PostgreSQL
   * sends it at commit): one round trip and one transaction fewer per identify than a NOTIFY after
   * it, and never an announcement of a row that did not commit.
   */
  announce?: boolean;
}

/** Columns whose parameter needs a cast (by name, so adding a column cannot shift them). */
const CASTS: Partial<Record<string, (at: string) => string>> = {
  galleryIds: (at) => `${at}::uuid[]`,
  createdAt: (at) => `COALESCE(${at}::timestamptz, CURRENT_TIMESTAMP)`,
};

export function eventRepository(prisma: PrismaClient, pool: pg.Pool, options: EventRepositoryOptions = {}) {
  return {
    /**
     * Inserts the events of one request in one statement; returns their ids in order. Plain SQL:
     * this is on the identify hot path, and Prisma's createManyAndReturn costs ~6 ms against 0.5.
     * An id already stored is skipped, so a replayed event is written once.
     */
    async insertMany(tenantId: string, events: readonly NewRecognitionEvent[], { durable = false }: { durable?: boolean } = {}): Promise<string[]> {
      const ids = events.map((e) => e.id ?? randomUUID());
      const columns = ['id', 'personId', 'decision', 'distance', 'votes', 'k1', 'k2', 'threshold', 'model', 'source', 'frames', 'latencyMs', 'boxX', 'boxY', 'boxWidth', 'boxHeight', 'faceQuality', 'margin', 'trackId', 'galleryIds', 'callStart', 'createdAt'] as const;
      const values: unknown[] = [tenantId];
      const rows = events.map((e, i) => {
        const row = [ids[i], e.personId, e.decision, e.distance, e.votes, e.k1, e.k2, e.threshold, e.model, e.source, e.frames, e.latencyMs, e.box?.x ?? null, e.box?.y ?? null, e.box?.width ?? null, e.box?.height ?? null, e.faceQuality ?? null, e.margin ?? null, e.trackId ?? null, [...(e.galleryIds ?? [])], e.callStart ?? true, e.createdAt ?? new Date()];
        const placeholders = row.map((v, j) => {
          values.push(v);
          return (CASTS[columns[j]!] ?? ((at: string) => at))(`$${values.length}`);
        });
        return `($1, ${placeholders.join(', ')})`;
      });
      // Without `durable`, the commit does not wait for the WAL flush (set_config is local to the
      // statement's own transaction, evaluated for each row written): that wait was 5 of identify's
      // 5.5 ms per event (bench:reports). The row is visible to every later query at once; only a
      // crash of PostgreSQL itself within wal_writer_delay (200 ms) x 3 could lose it. Replaying
      // the outage buffer asks for `durable`, since the buffer file is emptied after.
      const asynchronous = durable ? '' : `set_config('synchronous_commit', 'off', true)`;
      const insert = `INSERT INTO "RecognitionEvent" ("tenantId", ${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${rows.join(', ')} ON CONFLICT ("id") DO NOTHING`;
      // Named, so each connection parses and plans it once per shape: the row count, durable and
      // announce are all its text depends on, and a name must always stand for the same text.
      const name = `visage-event-insert-${events.length}${durable ? '-durable' : ''}${options.announce ? '-announce' : ''}`;
      if (!options.announce) {
        await pool.query({ name, text: `${insert}${asynchronous ? ` RETURNING ${asynchronous}` : ''}`, values });
        return ids;
      }
      // The rows actually inserted, IDS_PER_NOTICE ids per notification (the payload limit).
      await pool.query({
        name,
        text: `WITH inserted AS (${insert} RETURNING "id"${asynchronous ? `, ${asynchronous}` : ''})
         SELECT pg_notify('${RECOGNITION_EVENTS_CHANNEL}', json_build_object('tenantId', $1::text, 'ids', array_agg("id"::text))::text)
         FROM (SELECT "id", (row_number() OVER () - 1) / ${IDS_PER_NOTICE} AS chunk FROM inserted) c GROUP BY chunk`,
        values,
      });
      return ids;
    },

    /** The events of one tenant with these ids, oldest first (live delivery after a notification). */
    async byIds(tenantId: string, ids: readonly string[]): Promise<RecognitionEventRecord[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      const rows = await prisma.recognitionEvent.findMany({ where: { tenantId, id: { in: valid } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select });
      return rows.map(toRecord);
    },

    /** Newest first, keyset-paginated on (createdAt, id). */
    async list(tenantId: string, args: { first: number; after?: Cursor; filter: EventFilter }): Promise<Page<RecognitionEventRecord>> {
      const f = args.filter;
      if (f.personId && !isUuid(f.personId)) return { items: [], hasNextPage: false, totalCount: 0 };
      const where: Prisma.RecognitionEventWhereInput = {
        tenantId,
        ...(f.personId ? { personId: f.personId } : {}),
        ...(f.decision ? { decision: f.decision } : {}),
        ...(f.source ? { source: f.source } : {}),
        ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } } : {}),
      };
      const [rows, totalCount] = await Promise.all([
        prisma.recognitionEvent.findMany({ where: { AND: [where, afterCursor(args.after, 'desc')] }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: args.first + 1, select }),
        prisma.recognitionEvent.count({ where }),
      ]);
      return toPage(rows.map(toRecord), args.first, totalCount);
    },
  };
}

export type EventRepository = ReturnType<typeof eventRepository>;
