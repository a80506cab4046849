import type pg from 'pg';
import { Params, bucketsCte, withReportMemory } from './report-buckets.js';
import { presencePairsCte } from './presence-rollup.js';
import type { StatsQuery, StatsRow } from './report-types.js';

/**
 * recognitionStats from StatsRollup (migration 20261201150000_stats_rollup) when it can answer:
 * grouped by decision or not at all, no person or source filter, buckets of a day or longer.
 * Anything else reads the events (report-repository.ts).
 */
export function rollupAnswers(q: StatsQuery): boolean {
  return q.bucket !== 'hour' && q.groupBy.every((d) => d === 'decision') && !q.filter.personId && !q.filter.source;
}

/**
 * `counted (date, n)`: for day buckets, the people of each local date that only whole UTC days of
 * the range contribute to (the others come from `pairs`), without pairing every person and day.
 * A local date L is the part after the split of one UTC day x and the part before the split of
 * the next, y (or all of y when y is one local date, split 0). A person is in L when x's last slot
 * is at or after x's split, or y's first slot is before y's split: counted on each day, less those
 * counted on both. Three index-only counts over PresenceRollup_edges_idx.
 */
function countedCte(tenant: string): string {
  const fast = (date: string) => `${date} NOT IN (SELECT d FROM partial)`;
  return `per_day AS MATERIALIZED (
         SELECT days.d1, days.d2, count(*) FILTER (WHERE r."firstSlot" < split) AS before, count(*) FILTER (WHERE r."lastSlot" >= split) AS after
           FROM days JOIN "PresenceRollup" r ON r."tenantId" = ${tenant} AND r."day" = days.day
          -- As in terms: without the ARRAY the planner hashes every row of the tenant's history
          -- (900k at 180 days, 240 ms) instead of reading these days from the index.
          WHERE whole AND r."day" = ANY(ARRAY(SELECT day FROM days WHERE whole)) GROUP BY 1, 2
       ), counted AS (
         SELECT d1 AS date, before AS n FROM per_day WHERE ${fast('d1')}
         UNION ALL
         SELECT d2, after FROM per_day WHERE ${fast('d2')}
         UNION ALL
         -- Per pair of days, so both sides are read in person order and merged, not probed one by one.
         SELECT y.d1, -pair.n
           FROM days x JOIN days y ON y.day = x.day + 1 AND y.d1 = x.d2,
           LATERAL (
             SELECT count(*) AS n
               FROM (SELECT "personId" FROM "PresenceRollup" WHERE "tenantId" = ${tenant} AND "day" = x.day AND "lastSlot" >= x.split ORDER BY "personId") a
               JOIN (SELECT "personId" FROM "PresenceRollup" WHERE "tenantId" = ${tenant} AND "day" = y.day
                      AND "firstSlot" < CASE WHEN y.split = 0 THEN 96 ELSE y.split END ORDER BY "personId") b USING ("personId")
           ) pair
          WHERE x.whole AND y.whole AND ${fast('y.d1')}
       )`;
}

/**
 * Counts are exact: whole UTC hours inside a bucket come from the rollup, the parts of hours that
 * a bucket boundary (zones at :30 and :45) or the range cuts from the events. distinctPeople is
 * exact too, from PresenceRollup (only MATCH events carry a person). medianDistance and
 * p95LatencyMs are read from the histograms, interpolated within the bin that holds the event of
 * that rank: within 0.01 of it for the distance, within 2% of 1 + its latency for the latency.
 */
export async function statsFromRollup(pool: pg.Pool, tenantId: string, q: StatsQuery): Promise<StatsRow[]> {
  const p = new Params();
  const buckets = bucketsCte(p, q);
  const byDay = q.bucket === 'day';
  const pairs = presencePairsCte(p, { tenantId, from: q.from, to: q.to, timeZone: q.timeZone, personIds: null }, { partialDatesOnly: byDay });
  const tenant = `${p.add(tenantId)}::uuid`;
  const tz = `${p.add(q.timeZone)}::text`;
  const unit = `${p.add(q.bucket)}::text`;
  const byDecision = q.groupBy.includes('decision');
  const decision = (column: string) => (byDecision ? column : `NULL::"RecognitionDecision"`);
  const only = q.filter.decision ? p.add(q.filter.decision) : null;
  const rolledOnly = only ? `AND r."decision" = ${only}::"RecognitionDecision"` : '';
  const rawOnly = only ? `AND e."decision" = ${only}::"RecognitionDecision"` : '';
  const people = !q.filter.decision || q.filter.decision === 'MATCH';
  const { rows } = await withReportMemory(pool, (client) =>
    client.query<StatsRow>(
      `WITH ${buckets}, ${pairs},
       spans AS MATERIALIZED (
         SELECT start, "fromAt", "toAt", date_bin('1 hour', "fromAt" - interval '1 microsecond', 'epoch') + interval '1 hour' AS lo, date_bin('1 hour', "toAt", 'epoch') AS hi FROM b
       ), udays AS (
         SELECT s.start, d AS day, greatest(s.lo, d) AS a, least(s.hi, d + interval '1 day') AS z
           FROM spans s, generate_series(date_bin('1 day', s.lo, 'epoch'), s.hi - interval '1 hour', interval '1 day') d WHERE s.lo < s.hi
       ), terms AS MATERIALIZED (
         -- A UTC day covered for more than 12 hours: the day, less its hours outside the bucket.
         -- Other hours one by one. sign multiplies the counts read. The rollups are read by
         -- = ANY(ARRAY(...)): the planner cannot see how few terms there are and would scan them.
         SELECT start, day AS at, true AS whole, 1 AS sign FROM udays WHERE z - a > interval '12 hours'
         UNION ALL
         SELECT start, h, false, -1 FROM udays, generate_series(day, day + interval '23 hours', interval '1 hour') h
          WHERE z - a > interval '12 hours' AND z - a < interval '1 day' AND (h < a OR h >= z)
         UNION ALL
         SELECT start, h, false, 1 FROM udays, generate_series(a, z - interval '1 hour', interval '1 hour') h WHERE z - a <= interval '12 hours'
       ), cuts AS (
         SELECT start, "fromAt" AS lo, CASE WHEN lo < hi THEN lo ELSE "toAt" END AS hi FROM spans
         UNION ALL
         SELECT start, hi, "toAt" FROM spans WHERE lo < hi
       ), hist AS (
         SELECT t.start, ${decision('r."decision"')} AS decision, r.metric, r.bin, sum(t.sign * r.count) AS n
           FROM terms t JOIN "StatsRollupDay" r ON r."day" = t.at AND t.whole
          WHERE r."tenantId" = ${tenant} AND r."day" = ANY(ARRAY(SELECT at FROM terms WHERE whole)) ${rolledOnly}
          GROUP BY 1, 2, 3, 4
         UNION ALL
         SELECT t.start, ${decision('r."decision"')}, r.metric, r.bin, sum(t.sign * r.count)
           FROM terms t JOIN "StatsRollup" r ON r."hour" = t.at AND NOT t.whole
          WHERE r."tenantId" = ${tenant} AND r."hour" = ANY(ARRAY(SELECT at FROM terms WHERE NOT whole)) ${rolledOnly}
          GROUP BY 1, 2, 3, 4
         UNION ALL
         -- The bins of stats_distance_bin and stats_latency_bin, written out: called per event
         -- (not inlined, being STRICT) they cost 70 µs each on a loaded machine.
         SELECT c.start, ${decision('e."decision"')}, 0::smallint, greatest(0, floor(e."distance" * 100))::int, count(*)
           FROM cuts c JOIN "RecognitionEvent" e ON e."tenantId" = ${tenant} AND e."createdAt" >= c.lo AND e."createdAt" < c.hi ${rawOnly}
          WHERE c.lo < c.hi AND e."distance" IS NOT NULL
          GROUP BY 1, 2, 3, 4
         UNION ALL
         SELECT c.start, ${decision('e."decision"')}, 1::smallint, floor(ln(1 + greatest(0, e."latencyMs")) / ln(1.02))::int, count(*)
           FROM cuts c JOIN "RecognitionEvent" e ON e."tenantId" = ${tenant} AND e."createdAt" >= c.lo AND e."createdAt" < c.hi ${rawOnly}
          WHERE c.lo < c.hi
          GROUP BY 1, 2, 3, 4
       )${byDay ? `, ${countedCte(tenant)}` : ''}, ranked AS (
         SELECT start, decision, metric, bin, n,
           sum(n) OVER (PARTITION BY start, decision, metric ORDER BY bin) - n AS before,
           sum(n) OVER (PARTITION BY start, decision, metric) AS total
         -- HAVING: a day's bins less its hours outside the bucket can sum to nothing.
         FROM (SELECT start, decision, metric, bin, sum(n) AS n FROM hist GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0) h
       ), summed AS (
         -- rank r = q (total - 1), as percentile_cont counts; the bin holding it, and r's place in it
         SELECT start, decision, sum(n) FILTER (WHERE metric = 1) AS count,
           max((bin + (0.5 * (total - 1) - before + 0.5) / n) * 0.01) FILTER (WHERE metric = 0 AND before <= 0.5 * (total - 1) AND 0.5 * (total - 1) < before + n) AS median,
           max(power(1.02, bin + (0.95 * (total - 1) - before + 0.5) / n) - 1) FILTER (WHERE metric = 1 AND before <= 0.95 * (total - 1) AND 0.95 * (total - 1) < before + n) AS p95
         FROM ranked GROUP BY 1, 2
       ), seen AS (
         SELECT date_trunc(${unit}, date::timestamp) AT TIME ZONE ${tz} AS start, count(DISTINCT "personId") AS n FROM pairs GROUP BY 1
         ${byDay ? `UNION ALL SELECT date::timestamp AT TIME ZONE ${tz}, sum(n) FROM counted GROUP BY 1` : ''}
       )
       SELECT s.start AS "bucketStart", s.decision, NULL::text AS source, NULL::uuid AS "personId", NULL::uuid AS "galleryId", s.count::int AS count,
         CASE WHEN ${people} AND (s.decision IS NULL OR s.decision = 'MATCH') THEN coalesce(seen.n, 0) ELSE 0 END::int AS "distinctPeople",
         s.median::float8 AS "medianDistance", s.p95::float8 AS "p95LatencyMs"
       FROM summed s LEFT JOIN seen ON seen.start = s.start
       ORDER BY 1, 2 LIMIT ${p.add(q.limit)}`,
      p.values,
    ),
    // By day nothing here sorts or hashes more than a few thousand rows, and hash tables are
    // allocated for the planner's estimate (a million rows for the cut hours): with 64 MB that
    // was 70 MB allocated and zeroed per report. Week and month sort every (date, person) pair.
    byDay ? '4MB' : '64MB',
  );
  return rows;
}
