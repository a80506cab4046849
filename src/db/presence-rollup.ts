import type pg from 'pg';
import { Params, withReportMemory } from './report-buckets.js';
import type { PresenceRow } from './report-types.js';

export interface PresenceQuery {
  from: Date;
  to: Date;
  timeZone: string;
  personIds: readonly string[] | null;
  first: number;
  after: { date: string; personId: string } | null;
}

export type PresencePageRow = PresenceRow & { total: number };

/**
 * CTEs ending in `pairs (date, personId)`: a (local date, person) pair for every person with a
 * MATCH in [from, to) on that local date, possibly more than once. Parameters are added to `p`.
 * `days` has a row per UTC day of the range: its local dates d1 and d2, `split` (the slot of d2's
 * local midnight, 0 when the day is one local date) and `whole` (the day lies inside the range).
 * With `partialDatesOnly`, pairs are made only for the local dates that a UTC day not wholly in
 * range contributes to (listed in `partial`), for a caller that counts the others another way.
 */
export function presencePairsCte(
  p: Params,
  q: { tenantId: string; from: Date; to: Date; timeZone: string; personIds: readonly string[] | null },
  { partialDatesOnly = false }: { partialDatesOnly?: boolean } = {},
): string {
  const tenant = p.add(q.tenantId);
  const from = `${p.add(q.from)}::timestamptz`;
  const to = `${p.add(q.to)}::timestamptz`;
  const tz = `${p.add(q.timeZone)}::text`;
  const people = q.personIds ? `AND r."personId" = ANY(${p.add(q.personIds)}::uuid[])` : '';
  const peopleRaw = q.personIds ? `AND e."personId" = ANY(${p.add(q.personIds)}::uuid[])` : '';
  // Slot n of a day: first n bits set (`~(ones >> n)`); clamped to the day.
  const slotOf = (at: string) => `least(96, greatest(0, extract(epoch FROM ${at} - u) / 900))`;
  const firstBits = (n: string) => `(~ ((~ B'0'::bit(96)) >> (${n})::int))`;
  const partial = partialDatesOnly
    ? `, partial AS MATERIALIZED (SELECT DISTINCT d FROM days, LATERAL (VALUES (d1), (d2)) v(d) WHERE NOT whole)`
    : '';
  const onlyPartial = (date: string) => (partialDatesOnly ? `AND ${date} IN (SELECT d FROM partial)` : '');
  return `days AS MATERIALIZED (
         SELECT day::date AS day, d1, d2, split, ${from} <= u AND u + interval '1 day' <= ${to} AS whole,
           ${firstBits('split')} AS before_split,
           ${firstBits(`floor(${slotOf(to)})`)} & ~ ${firstBits(`ceil(${slotOf(from)})`)} AS in_range
         FROM generate_series(date_trunc('day', ${from} AT TIME ZONE 'UTC'), ${to} AT TIME ZONE 'UTC', interval '1 day') day,
           LATERAL (SELECT day AT TIME ZONE 'UTC' AS u) u,
           LATERAL (SELECT (u AT TIME ZONE ${tz})::date AS d1, ((u + interval '1 day' - interval '1 microsecond') AT TIME ZONE ${tz})::date AS d2) d,
           LATERAL (SELECT (${slotOf(`(d2::timestamp AT TIME ZONE ${tz})`)})::int AS split) s
       )${partial}, edges AS (
         -- the parts of slots cut by from and to
         SELECT ${from} AS lo, least(${to}, date_bin('15 minutes', ${from} - interval '1 microsecond', 'epoch') + interval '15 minutes') AS hi
         UNION ALL
         SELECT greatest(${from}, date_bin('15 minutes', ${to}, 'epoch')), ${to}
       ), rolled AS (
         -- the bounds on day let the planner see how few rows it reads (it cannot from generate_series)
         SELECT days.d1, days.d2, days.before_split, r."personId", r."slots" & days.in_range AS bits
           FROM days JOIN "PresenceRollup" r ON r."tenantId" = ${tenant}::uuid AND r."day" = days.day ${people}
          WHERE r."day" BETWEEN (${from} AT TIME ZONE 'UTC')::date AND (${to} AT TIME ZONE 'UTC')::date
            ${partialDatesOnly ? `AND r."day" = ANY(ARRAY(SELECT day FROM days WHERE d1 IN (SELECT d FROM partial) OR d2 IN (SELECT d FROM partial)))` : ''}
       ), pairs AS (
         SELECT d1 AS date, "personId" FROM rolled WHERE bits & before_split <> B'0'::bit(96) ${onlyPartial('d1')}
         UNION ALL
         SELECT d2, "personId" FROM rolled WHERE bits & (~ before_split) <> B'0'::bit(96) ${onlyPartial('d2')}
         UNION ALL
         SELECT (e."createdAt" AT TIME ZONE ${tz})::date, e."personId"
           FROM edges JOIN "RecognitionEvent" e ON e."tenantId" = ${tenant}::uuid AND e."createdAt" >= edges.lo AND e."createdAt" < edges.hi
          WHERE edges.lo < edges.hi AND e."decision" = 'MATCH' AND e."personId" IS NOT NULL ${peopleRaw}
       )`;
}

/**
 * Presence read from PresenceRollup (migration 20261201140000_presence_rollup): which (local day,
 * person) pairs there are, and how many, come from the rollup's 15-minute slot bits, so a 30-day
 * page reads one row per person and UTC day instead of every MATCH event. Exact: slots cut by
 * `from` or `to` are read from the events instead of the rollup, and first and last seen, counts
 * and sources are read from the events of the page's rows only (by the (tenantId, personId,
 * createdAt) index).
 *
 * For each UTC day `d`: d1 and d2 are the local dates of its first and last instant, `split` the
 * first slot of d2 (the slot of d2's local midnight; 0 when the day is one local date), `inRange`
 * the slots wholly inside [from, to).
 */
export async function presenceFromRollup(pool: pg.Pool, tenantId: string, q: PresenceQuery): Promise<PresencePageRow[]> {
  const p = new Params();
  const pairs = presencePairsCte(p, { ...q, tenantId });
  const tenant = p.add(tenantId);
  const from = `${p.add(q.from)}::timestamptz`;
  const to = `${p.add(q.to)}::timestamptz`;
  const tz = `${p.add(q.timeZone)}::text`;
  const cursor = q.after ? `WHERE (date, "personId") > (${p.add(q.after.date)}::date, ${p.add(q.after.personId)}::uuid)` : '';
  const { rows } = await withReportMemory(pool, (client) =>
    client.query<PresencePageRow>(
      `WITH ${pairs}, g AS (SELECT DISTINCT date, "personId" FROM pairs),
       page AS (SELECT date AS day, "personId", (SELECT count(*) FROM g)::int AS total FROM g ${cursor} ORDER BY date, "personId" LIMIT ${p.add(q.first + 1)})
       SELECT to_char(page.day, 'YYYY-MM-DD') AS date, page."personId", page.total, x.*
         FROM page, LATERAL (
           SELECT min(e."createdAt") AS "firstSeen", max(e."createdAt") AS "lastSeen", count(*)::int AS count,
             coalesce(array_agg(DISTINCT e."source") FILTER (WHERE e."source" IS NOT NULL), '{}') AS sources
             FROM "RecognitionEvent" e
            WHERE e."tenantId" = ${tenant}::uuid AND e."personId" = page."personId" AND e."decision" = 'MATCH'
              AND e."createdAt" >= greatest(${from}, page.day::timestamp AT TIME ZONE ${tz})
              AND e."createdAt" < least(${to}, (page.day + 1)::timestamp AT TIME ZONE ${tz})) x
        ORDER BY page.day, page."personId"`,
      p.values,
    ),
  );
  return rows;
}
