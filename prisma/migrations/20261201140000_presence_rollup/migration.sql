-- Presence (issue #13) per person and local day, for any time zone, without reading every event:
-- for each person and UTC day, the 15-minute UTC slots in which they were recognized (MATCH).
-- Every zone offset in use is a multiple of 15 minutes, so each slot lies within one local day
-- of any zone; a local day's presence is a bit test on at most two UTC days' rows. First and
-- last seen, counts and sources are then read from the events for one page of rows only.
-- Kept by triggers in the writing statement's own transaction, so it is never behind the events.
CREATE TABLE "PresenceRollup" (
    "tenantId" UUID NOT NULL,
    "personId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "slots" BIT(96) NOT NULL,
    CONSTRAINT "PresenceRollup_pkey" PRIMARY KEY ("tenantId", "day", "personId")
);
CREATE INDEX "PresenceRollup_personId_idx" ON "PresenceRollup"("personId");
ALTER TABLE "PresenceRollup" ADD CONSTRAINT "PresenceRollup_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- A deleted person's events keep no person (ON DELETE SET NULL), so their presence goes with them.
ALTER TABLE "PresenceRollup" ADD CONSTRAINT "PresenceRollup_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The slot bit of an instant: bit n (from the left) for [n * 15 min, (n + 1) * 15 min) of its UTC day.
CREATE FUNCTION "presence_slot"(at TIMESTAMPTZ) RETURNS BIT(96) IMMUTABLE PARALLEL SAFE LANGUAGE sql
  RETURN B'1'::BIT(96) >> floor(extract(epoch FROM (at AT TIME ZONE 'UTC')::time) / 900)::int;

CREATE FUNCTION "presence_rollup_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Ordered, so concurrent inserts lock rollup rows in the same order and cannot deadlock.
  INSERT INTO "PresenceRollup" AS r ("tenantId", "personId", "day", "slots")
  SELECT "tenantId", "personId", ("createdAt" AT TIME ZONE 'UTC')::date, bit_or("presence_slot"("createdAt"))
    FROM added WHERE "decision" = 'MATCH' AND "personId" IS NOT NULL
   GROUP BY 1, 2, 3 ORDER BY 1, 3, 2
  ON CONFLICT ("tenantId", "day", "personId") DO UPDATE SET "slots" = r."slots" | excluded."slots"
   WHERE r."slots" | excluded."slots" <> r."slots";
  RETURN NULL;
END $$;

-- A slot stays set while any event is left in it: recomputed from the events that remain, for the
-- rows the deleted events touched (retention purge, erasure, tenant deletion).
CREATE FUNCTION "presence_rollup_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH touched AS (
    SELECT DISTINCT "tenantId", "personId", ("createdAt" AT TIME ZONE 'UTC')::date AS day
      FROM removed WHERE "decision" = 'MATCH' AND "personId" IS NOT NULL
  ), now_set AS (
    SELECT r."tenantId", r."personId", r."day",
      (SELECT bit_or("presence_slot"(e."createdAt")) FROM "RecognitionEvent" e
        WHERE e."tenantId" = r."tenantId" AND e."personId" = r."personId" AND e."decision" = 'MATCH'
          AND e."createdAt" >= r."day"::timestamp AT TIME ZONE 'UTC' AND e."createdAt" < (r."day" + 1)::timestamp AT TIME ZONE 'UTC') AS slots
      FROM "PresenceRollup" r JOIN touched t USING ("tenantId", "day", "personId")
  ), emptied AS (
    DELETE FROM "PresenceRollup" r USING now_set n
     WHERE n.slots IS NULL AND (r."tenantId", r."day", r."personId") = (n."tenantId", n."day", n."personId")
  )
  UPDATE "PresenceRollup" r SET "slots" = n.slots FROM now_set n
   WHERE n.slots IS NOT NULL AND r."slots" <> n.slots AND (r."tenantId", r."day", r."personId") = (n."tenantId", n."day", n."personId");
  RETURN NULL;
END $$;

CREATE TRIGGER "RecognitionEvent_presence_add" AFTER INSERT ON "RecognitionEvent"
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "presence_rollup_add"();
CREATE TRIGGER "RecognitionEvent_presence_remove" AFTER DELETE ON "RecognitionEvent"
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION "presence_rollup_remove"();

INSERT INTO "PresenceRollup" ("tenantId", "personId", "day", "slots")
SELECT "tenantId", "personId", ("createdAt" AT TIME ZONE 'UTC')::date, bit_or("presence_slot"("createdAt"))
  FROM "RecognitionEvent" WHERE "decision" = 'MATCH' AND "personId" IS NOT NULL GROUP BY 1, 2, 3;
