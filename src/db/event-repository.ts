import type { Prisma, PrismaClient, RecognitionDecision } from './generated/client.js';
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
}

export interface RecognitionEventRecord extends Omit<NewRecognitionEvent, 'box'> {
  id: string;
  createdAt: Date;
  box: NewRecognitionEvent['box'];
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
  source: true, frames: true, latencyMs: true, boxX: true, boxY: true, boxWidth: true, boxHeight: true, createdAt: true,
} as const;

type Row = Prisma.RecognitionEventGetPayload<{ select: typeof select }>;

function toRecord(r: Row): RecognitionEventRecord {
  const { boxX, boxY, boxWidth, boxHeight, ...rest } = r;
  return { ...rest, box: boxX === null || boxY === null || boxWidth === null || boxHeight === null ? null : { x: boxX, y: boxY, width: boxWidth, height: boxHeight } };
}

export function eventRepository(prisma: PrismaClient) {
  return {
    /** Inserts the events of one request; returns their ids in order. */
    async insertMany(tenantId: string, events: readonly NewRecognitionEvent[]): Promise<string[]> {
      const rows = await prisma.recognitionEvent.createManyAndReturn({
        data: events.map(({ box, ...e }) => ({ tenantId, ...e, boxX: box?.x ?? null, boxY: box?.y ?? null, boxWidth: box?.width ?? null, boxHeight: box?.height ?? null })),
        select: { id: true },
      });
      return rows.map((r) => r.id);
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
