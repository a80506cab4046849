-- recognitionStats (issue #13) by decision over long ranges without reading every event: per
-- tenant, UTC hour and decision, additive histograms of the distance (bins of 0.01) and of the
-- latency (bins 2% wide: bin n holds 1 + latencyMs in [1.02^n, 1.02^(n+1))). Counts are exact
-- (every event has a latency); medians and p95 are read from the bins to within one bin.
-- Hours that a local bucket boundary or the range cuts (zones at :30 and :45) are read from the
-- events. Kept by triggers in the writing statement's own transaction, like PresenceRollup.
CREATE TABLE "StatsRollup" (
    "tenantId" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "decision" "RecognitionDecision" NOT NULL,
    -- 0: distance, 1: latencyMs
    "metric" SMALLINT NOT NULL,
    "bin" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    CONSTRAINT "StatsRollup_pkey" PRIMARY KEY ("tenantId", "hour", "decision", "metric", "bin")
);
ALTER TABLE "StatsRollup" ADD CONSTRAINT "StatsRollup_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE FUNCTION "stats_distance_bin"(distance DOUBLE PRECISION) RETURNS INTEGER IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
  RETURN greatest(0, floor(distance * 100))::int;
CREATE FUNCTION "stats_latency_bin"(latency DOUBLE PRECISION) RETURNS INTEGER IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
  RETURN floor(ln(1 + greatest(0, latency)) / ln(1.02))::int;


CREATE FUNCTION "stats_rollup_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "StatsRollup" AS r ("tenantId", "hour", "decision", "metric", "bin", "count")
  SELECT "tenantId", date_bin('1 hour', "createdAt", 'epoch'), "decision", m.metric, m.bin, count(*)
    FROM added, LATERAL (VALUES (0::smallint, "stats_distance_bin"("distance")), (1::smallint, "stats_latency_bin"("latencyMs"))) m(metric, bin)
   WHERE m.bin IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("tenantId", "hour", "decision", "metric", "bin") DO UPDATE SET "count" = r."count" + excluded."count";
  RETURN NULL;
END $$;

CREATE FUNCTION "stats_rollup_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH gone AS (
    SELECT "tenantId", date_bin('1 hour', "createdAt", 'epoch') AS hour, "decision", m.metric, m.bin, count(*)::int AS n
      FROM removed, LATERAL (VALUES (0::smallint, "stats_distance_bin"("distance")), (1::smallint, "stats_latency_bin"("latencyMs"))) m(metric, bin)
     WHERE m.bin IS NOT NULL GROUP BY 1, 2, 3, 4, 5
  ), emptied AS (
    DELETE FROM "StatsRollup" r USING gone g
     WHERE (r."tenantId", r."hour", r."decision", r."metric", r."bin") = (g."tenantId", g.hour, g."decision", g.metric, g.bin) AND r."count" <= g.n
  )
  UPDATE "StatsRollup" r SET "count" = r."count" - g.n FROM gone g
   WHERE (r."tenantId", r."hour", r."decision", r."metric", r."bin") = (g."tenantId", g.hour, g."decision", g.metric, g.bin) AND r."count" > g.n;
  RETURN NULL;
END $$;

CREATE TRIGGER "RecognitionEvent_stats_add" AFTER INSERT ON "RecognitionEvent"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "stats_rollup_add"();
CREATE TRIGGER "RecognitionEvent_stats_remove" AFTER DELETE ON "RecognitionEvent"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "stats_rollup_remove"();

INSERT INTO "StatsRollup" ("tenantId", "hour", "decision", "metric", "bin", "count")
SELECT "tenantId", date_bin('1 hour', "createdAt", 'epoch'), "decision", m.metric, m.bin, count(*)
  FROM "RecognitionEvent", LATERAL (VALUES (0::smallint, "stats_distance_bin"("distance")), (1::smallint, "stats_latency_bin"("latencyMs"))) m(metric, bin)
 WHERE m.bin IS NOT NULL GROUP BY 1, 2, 3, 4, 5;
