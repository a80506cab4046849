-- StatsRollup summed per UTC day (issue #13). A local day bucket is whole UTC hours: 30 days by
-- day read 720 hours of histogram rows (about 340 rows an hour at the benchmark's density: 142,000
-- rows, a third of the report's time). A bucket now reads each UTC day it covers for more than
-- 12 hours from this table, less the hours of that day outside the bucket (histogram counts
-- subtract exactly), and the hours of the other days from StatsRollup: a Berlin day is one day
-- and two hours instead of 24 hours. Kept by the same statement triggers, in the same statement.
CREATE TABLE "StatsRollupDay" (
    "tenantId" UUID NOT NULL,
    -- the UTC day's first instant
    "day" TIMESTAMPTZ(3) NOT NULL,
    "decision" "RecognitionDecision" NOT NULL,
    "metric" SMALLINT NOT NULL,
    "bin" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    CONSTRAINT "StatsRollupDay_pkey" PRIMARY KEY ("tenantId", "day", "decision", "metric", "bin")
);
ALTER TABLE "StatsRollupDay" ADD CONSTRAINT "StatsRollupDay_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE OR REPLACE FUNCTION "stats_rollup_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- One statement, one pass over the new rows; both upserts ordered so concurrent inserts lock
  -- rollup rows in the same order.
  WITH binned AS (
    SELECT "tenantId", date_bin('1 hour', "createdAt", 'epoch') AS hour, "decision", m.metric, m.bin, count(*)::int AS n
      FROM added, LATERAL (VALUES (0::smallint, "stats_distance_bin"("distance")), (1::smallint, "stats_latency_bin"("latencyMs"))) m(metric, bin)
     WHERE m.bin IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
  ), hourly AS (
    INSERT INTO "StatsRollup" AS r ("tenantId", "hour", "decision", "metric", "bin", "count")
    SELECT * FROM binned ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("tenantId", "hour", "decision", "metric", "bin") DO UPDATE SET "count" = r."count" + excluded."count"
  )
  INSERT INTO "StatsRollupDay" AS r ("tenantId", "day", "decision", "metric", "bin", "count")
  SELECT "tenantId", date_bin('1 day', hour, 'epoch'), "decision", metric, bin, sum(n) FROM binned GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("tenantId", "day", "decision", "metric", "bin") DO UPDATE SET "count" = r."count" + excluded."count";
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION "stats_rollup_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH gone AS (
    SELECT "tenantId", date_bin('1 hour', "createdAt", 'epoch') AS hour, "decision", m.metric, m.bin, count(*)::int AS n
      FROM removed, LATERAL (VALUES (0::smallint, "stats_distance_bin"("distance")), (1::smallint, "stats_latency_bin"("latencyMs"))) m(metric, bin)
     WHERE m.bin IS NOT NULL GROUP BY 1, 2, 3, 4, 5
  ), gone_days AS (
    SELECT "tenantId", date_bin('1 day', hour, 'epoch') AS day, "decision", metric, bin, sum(n)::int AS n FROM gone GROUP BY 1, 2, 3, 4, 5
  ), emptied AS (
    DELETE FROM "StatsRollup" r USING gone g
     WHERE (r."tenantId", r."hour", r."decision", r."metric", r."bin") = (g."tenantId", g.hour, g."decision", g.metric, g.bin) AND r."count" <= g.n
  ), lowered AS (
    UPDATE "StatsRollup" r SET "count" = r."count" - g.n FROM gone g
     WHERE (r."tenantId", r."hour", r."decision", r."metric", r."bin") = (g."tenantId", g.hour, g."decision", g.metric, g.bin) AND r."count" > g.n
  ), emptied_days AS (
    DELETE FROM "StatsRollupDay" r USING gone_days g
     WHERE (r."tenantId", r."day", r."decision", r."metric", r."bin") = (g."tenantId", g.day, g."decision", g.metric, g.bin) AND r."count" <= g.n
  )
  UPDATE "StatsRollupDay" r SET "count" = r."count" - g.n FROM gone_days g
   WHERE (r."tenantId", r."day", r."decision", r."metric", r."bin") = (g."tenantId", g.day, g."decision", g.metric, g.bin) AND r."count" > g.n;
  RETURN NULL;
END $$;

INSERT INTO "StatsRollupDay" ("tenantId", "day", "decision", "metric", "bin", "count")
SELECT "tenantId", date_bin('1 day', "hour", 'epoch'), "decision", "metric", "bin", sum("count") FROM "StatsRollup" GROUP BY 1, 2, 3, 4, 5;
