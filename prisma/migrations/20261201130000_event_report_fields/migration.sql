-- What reports and drift checks need from each recognition event (issue #13).
ALTER TABLE "RecognitionEvent" ADD COLUMN "faceQuality" DOUBLE PRECISION;
ALTER TABLE "RecognitionEvent" ADD COLUMN "margin" DOUBLE PRECISION;
ALTER TABLE "RecognitionEvent" ADD COLUMN "trackId" INTEGER;

-- Reports aggregate a tenant's time range over these columns: with all of them in the index,
-- PostgreSQL answers with an index-only scan and never reads the wide event rows.
CREATE INDEX "RecognitionEvent_report_idx" ON "RecognitionEvent"("tenantId", "createdAt", "decision", "source", "personId", "distance", "latencyMs");
