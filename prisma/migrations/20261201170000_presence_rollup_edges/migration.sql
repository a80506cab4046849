-- distinctPeople of recognitionStats by day (issue #13) without a DISTINCT over every (local day,
-- person) pair: over 30 days at the benchmark's density that sort read 90,000 PresenceRollup rows
-- with two BIT(96) operations each and was half the report's time. A local day in a whole UTC
-- day's range is counted instead from each person-day's first and last slot: the people whose
-- first slot falls before the day's split, plus those whose last slot falls after it on the UTC
-- day before, less those counted on both (stats-rollup.ts). Generated from the slots, so the
-- triggers that keep them need no change; the index answers all three counts without the table.
ALTER TABLE "PresenceRollup"
  ADD COLUMN "firstSlot" SMALLINT GENERATED ALWAYS AS (position(B'1' IN "slots") - 1) STORED,
  ADD COLUMN "lastSlot" SMALLINT GENERATED ALWAYS AS (length(rtrim("slots"::text, '0')) - 1) STORED;
-- Key columns rather than INCLUDE, which schema.prisma cannot declare.
CREATE INDEX "PresenceRollup_edges_idx" ON "PresenceRollup" ("tenantId", "day", "personId", "firstSlot", "lastSlot");
