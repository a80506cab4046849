import type pg from 'pg';
import type { RecognitionDecision } from './generated/enums.js';
import type { PresenceRow, ReportBucket, ReportRange, StatsDimension, StatsQuery, StatsRow } from './report-types.js';
import { JOIN_EVENTS, Params, bucketsCte, withReportMemory } from './report-buckets.js';
import { presenceFromRollup } from './presence-rollup.js';
import { rollupAnswers, statsFromRollup } from './stats-rollup.js';

export type { PresenceRow, ReportBucket, ReportRange, StatsDimension, StatsQuery, StatsRow };

export interface VisitRow {
  personId: string;
  source: string | null;
  start: Date;
  end: Date;
  events: number;
}

export interface UnknownRateRow {
  bucketStart: Date;
  source: string | null;
  events: number;
  faces: number;
  unknown: number;
  noFace: number;
  calls: number;
}

export interface SourceHealthRow {
  source: string;
  lastEventAt: Date;
  eventsLastHour: number;
  eventsLastDay: number;
  noFaceLastDay: number;
  unknownLastDay: number;
}

/** A keyset page over a computed result: the rows after the cursor and how many there are in all. */
export interface ReportPage<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: number;
}

const COLUMN: Record<StatsDimension, string> = { decision: 'e."decision"', source: 'e."source"', personId: 'e."personId"', galleryId: 'g."galleryId"' };

function rangeWhere(p: Params, tenantId: string, range: { from: Date; to: Date }): string[] {
  return [`"tenantId" = ${p.add(tenantId)}::uuid`, `"createdAt" >= ${p.add(range.from)}`, `"createdAt" < ${p.add(range.to)}`];
}

function page<T>(rows: (T & { total: number })[], first: number): ReportPage<T> {
  const items = rows.slice(0, first).map(({ total: _total, ...row }) => row as unknown as T);
  return { items, hasNextPage: rows.length > first, totalCount: rows[0]?.total ?? 0 };
}

/**
 * Reports over recognition events, computed by PostgreSQL aggregates: nothing here loads events
 * into Node. Every statement is bounded by the tenant and a time range, which
 * RecognitionEvent_report_idx covers.
 */
export function reportRepository(pool: pg.Pool) {
  return {
    async stats(tenantId: string, q: StatsQuery): Promise<StatsRow[]> {
      if (rollupAnswers(q)) return statsFromRollup(pool, tenantId, q);
      const p = new Params();
      const buckets = bucketsCte(p, q);
      const where = [`e."tenantId" = ${p.add(tenantId)}::uuid`];
      if (q.filter.personId) where.push(`e."personId" = ${p.add(q.filter.personId)}::uuid`);
      if (q.filter.decision) where.push(`e."decision" = ${p.add(q.filter.decision)}::"RecognitionDecision"`);
      if (q.filter.source) where.push(`e."source" = ${p.add(q.filter.source)}`);
      const dims = (Object.keys(COLUMN) as StatsDimension[]).map((d) => (q.groupBy.includes(d) ? COLUMN[d] : `NULL`) + ` AS "${d}"`);
      const groupBy = ['b.start', ...q.groupBy.map((d) => COLUMN[d])];
      // By gallery, an event counts once in each gallery it searched (events from before galleries: null).
      const galleries = q.groupBy.includes('galleryId') ? `LEFT JOIN LATERAL unnest(e."galleryIds") AS g("galleryId") ON true` : '';
      const { rows } = await withReportMemory(pool, (client) =>
        client.query<StatsRow>(
          `WITH ${buckets}
           SELECT b.start AS "bucketStart", ${dims.join(', ')},
             count(*)::int AS count, count(DISTINCT e."personId")::int AS "distinctPeople",
             percentile_cont(0.5) WITHIN GROUP (ORDER BY e."distance") AS "medianDistance",
             percentile_cont(0.95) WITHIN GROUP (ORDER BY e."latencyMs") AS "p95LatencyMs"
           FROM b ${JOIN_EVENTS} ${galleries} WHERE ${where.join(' AND ')}
           GROUP BY ${groupBy.join(', ')} ORDER BY ${groupBy.map((_, i) => i + 1).join(', ')} LIMIT ${p.add(q.limit)}`,
          p.values,
        ),
      );
      return rows;
    },

    /** Per person and local day: first and last MATCH, how many, at which sources. Ordered by (date, person). */
    async presence(
      tenantId: string,
      q: ReportRange & { personIds: readonly string[] | null; source: string | null; first: number; after: { date: string; personId: string } | null },
    ): Promise<ReportPage<PresenceRow>> {
      // The rollup keeps no sources; a presence at one source is read from that source's events.
      if (q.source === null) return page(await presenceFromRollup(pool, tenantId, q), q.first);
      const p = new Params();
      const buckets = bucketsCte(p, { ...q, bucket: 'day' });
      const where = [`e."tenantId" = ${p.add(tenantId)}::uuid`, `e."decision" = 'MATCH'`, `e."personId" IS NOT NULL`];
      if (q.personIds) where.push(`e."personId" = ANY(${p.add(q.personIds)}::uuid[])`);
      if (q.source) where.push(`e."source" = ${p.add(q.source)}`);
      const cursor = q.after ? `WHERE (date, "personId") > (${p.add(q.after.date)}::text, ${p.add(q.after.personId)}::uuid)` : '';
      // Per source first, then per person: both hash aggregates, where array_agg(DISTINCT) sorted every event.
      const { rows } = await withReportMemory(pool, (client) =>
        client.query<PresenceRow & { total: number }>(
          `WITH ${buckets},
           s AS (
             SELECT b.date, e."personId", e."source", min(e."createdAt") AS "firstSeen", max(e."createdAt") AS "lastSeen", count(*) AS count
             FROM b ${JOIN_EVENTS} WHERE ${where.join(' AND ')} GROUP BY 1, 2, 3),
           g AS (
             SELECT date, "personId", min("firstSeen") AS "firstSeen", max("lastSeen") AS "lastSeen", sum(count)::int AS count,
               coalesce(array_agg("source" ORDER BY "source") FILTER (WHERE "source" IS NOT NULL), '{}') AS sources
             FROM s GROUP BY 1, 2)
           SELECT g.*, (SELECT count(*) FROM g)::int AS total FROM g ${cursor} ORDER BY date, "personId" LIMIT ${p.add(q.first + 1)}`,
          p.values,
        ),
      );
      return page(rows, q.first);
    },

    /**
     * Episodes of one person at one source: consecutive MATCH events belong to one visit while
     * each gap is under `gapMinutes` (gaps and islands with window functions).
     */
    async visits(
      tenantId: string,
      q: { from: Date; to: Date; personId: string | null; source: string | null; gapMinutes: number; first: number; after: { start: Date; personId: string; source: string } | null },
    ): Promise<ReportPage<VisitRow>> {
      const p = new Params();
      const where = [...rangeWhere(p, tenantId, q), `"decision" = 'MATCH'`, `"personId" IS NOT NULL`];
      if (q.personId) where.push(`"personId" = ${p.add(q.personId)}::uuid`);
      if (q.source) where.push(`"source" = ${p.add(q.source)}`);
      const gap = p.add(q.gapMinutes);
      const cursor = q.after ? `WHERE (start, "personId", coalesce(source, '')) > (${p.add(q.after.start)}::timestamptz, ${p.add(q.after.personId)}::uuid, ${p.add(q.after.source)}::text)` : '';
      const { rows } = await pool.query<VisitRow & { total: number }>(
        `WITH e AS (
           SELECT "personId", "source", "createdAt",
             CASE WHEN "createdAt" - lag("createdAt") OVER w < make_interval(mins => ${gap}::int) THEN 0 ELSE 1 END AS starts
           FROM "RecognitionEvent" WHERE ${where.join(' AND ')}
           WINDOW w AS (PARTITION BY "personId", "source" ORDER BY "createdAt")),
         n AS (SELECT *, sum(starts) OVER (PARTITION BY "personId", "source" ORDER BY "createdAt" ROWS UNBOUNDED PRECEDING) AS episode FROM e),
         v AS (SELECT "personId", "source", min("createdAt") AS start, max("createdAt") AS "end", count(*)::int AS events
               FROM n GROUP BY "personId", "source", episode)
         SELECT v.*, (SELECT count(*) FROM v)::int AS total FROM v ${cursor}
         ORDER BY start, "personId", coalesce(source, '') LIMIT ${p.add(q.first + 1)}`,
        p.values,
      );
      return page(rows, q.first);
    },

    async unknownRate(tenantId: string, q: ReportRange & { bucket: ReportBucket; limit: number }): Promise<UnknownRateRow[]> {
      const p = new Params();
      const buckets = bucketsCte(p, q);
      const { rows } = await withReportMemory(pool, (client) =>
        client.query<UnknownRateRow>(
          `WITH ${buckets}
           SELECT b.start AS "bucketStart", e."source", count(*)::int AS events,
             count(*) FILTER (WHERE e."decision" <> 'NO_FACE')::int AS faces,
             count(*) FILTER (WHERE e."decision" = 'UNKNOWN')::int AS unknown,
             count(*) FILTER (WHERE e."decision" = 'NO_FACE')::int AS "noFace",
             count(*) FILTER (WHERE e."callStart")::int AS calls
           FROM b ${JOIN_EVENTS} WHERE e."tenantId" = ${p.add(tenantId)}::uuid
           GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST LIMIT ${p.add(q.limit)}`,
          p.values,
        ),
      );
      return rows;
    },

    /** A histogram of `bins` equal bins over [0, 2] (L2 between unit vectors), and how many MATCHes sit near the threshold. */
    async distanceHistogram(
      tenantId: string,
      q: { from: Date; to: Date; bins: number; decision: RecognitionDecision | null },
    ): Promise<{ bins: { bin: number; count: number }[] }> {
      const p = new Params();
      const where = [...rangeWhere(p, tenantId, q), `"distance" IS NOT NULL`];
      if (q.decision) where.push(`"decision" = ${p.add(q.decision)}::"RecognitionDecision"`);
      const bins = p.add(q.bins);
      const { rows } = await pool.query<{ bin: number; count: number }>(
        `SELECT least(width_bucket("distance", 0, 2, ${bins}::int), ${bins}::int) - 1 AS bin, count(*)::int AS count
         FROM "RecognitionEvent" WHERE ${where.join(' AND ')} GROUP BY 1 ORDER BY 1`,
        p.values,
      );
      return { bins: rows };
    },

    /** MATCH decisions in range, and those whose distance is within `band` below the threshold they were decided with. */
    async nearThreshold(tenantId: string, q: { from: Date; to: Date; band: number }): Promise<{ matches: number; near: number }> {
      const p = new Params();
      const where = [...rangeWhere(p, tenantId, q), `"decision" = 'MATCH'`];
      const { rows } = await pool.query<{ matches: number; near: number }>(
        `SELECT count(*)::int AS matches, count(*) FILTER (WHERE "distance" > "threshold" - ${p.add(q.band)})::int AS near
         FROM "RecognitionEvent" WHERE ${where.join(' AND ')}`,
        p.values,
      );
      return rows[0]!;
    },

    /**
     * Per source: the last event, and counts over the hour and day before `now`. Sources are
     * enumerated with a skip scan over (tenantId, source, createdAt), so a tenant with years of
     * events costs one index probe per source instead of a scan of its history.
     */
    async sourceHealth(tenantId: string, now: Date): Promise<SourceHealthRow[]> {
      const { rows } = await pool.query<SourceHealthRow>(
        `WITH RECURSIVE s AS (
           (SELECT "source" FROM "RecognitionEvent" WHERE "tenantId" = $1 AND "source" IS NOT NULL ORDER BY "source" LIMIT 1)
           UNION ALL
           SELECT (SELECT r."source" FROM "RecognitionEvent" r WHERE r."tenantId" = $1 AND r."source" > s."source" ORDER BY r."source" LIMIT 1)
           FROM s WHERE s."source" IS NOT NULL)
         SELECT s."source",
           (SELECT max("createdAt") FROM "RecognitionEvent" r WHERE r."tenantId" = $1 AND r."source" = s."source") AS "lastEventAt",
           coalesce(d."eventsLastHour", 0)::int AS "eventsLastHour", coalesce(d."eventsLastDay", 0)::int AS "eventsLastDay",
           coalesce(d."noFaceLastDay", 0)::int AS "noFaceLastDay", coalesce(d."unknownLastDay", 0)::int AS "unknownLastDay"
         FROM s LEFT JOIN LATERAL (
           SELECT count(*) FILTER (WHERE "createdAt" >= $2::timestamptz - interval '1 hour') AS "eventsLastHour", count(*) AS "eventsLastDay",
             count(*) FILTER (WHERE "decision" = 'NO_FACE') AS "noFaceLastDay", count(*) FILTER (WHERE "decision" = 'UNKNOWN') AS "unknownLastDay"
           FROM "RecognitionEvent" r WHERE r."tenantId" = $1 AND r."source" = s."source" AND r."createdAt" >= $2::timestamptz - interval '1 day' AND r."createdAt" < $2::timestamptz
         ) d ON true
         WHERE s."source" IS NOT NULL ORDER BY s."source"`,
        [tenantId, now],
      );
      return rows;
    },
  };
}

export type ReportRepository = ReturnType<typeof reportRepository>;
