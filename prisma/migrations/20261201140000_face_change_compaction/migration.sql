-- Compaction of the face change log (issue 12). Each process that holds in-memory indexes
-- reports, as a heartbeat, the FaceChange seq each of them has applied; the compaction job deletes
-- the rows every live process has applied (or that are older than a bound) and records per index
-- key the highest seq it deleted, so a process behind that point reloads instead of catching up.

-- One row per running process; "positions" is [{"key": {<index key columns>}, "seq": "<bigint>"}].
CREATE TABLE "IndexReplica" (
    "id" TEXT NOT NULL,
    "seenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "positions" JSONB NOT NULL DEFAULT '[]',
    CONSTRAINT "IndexReplica_pkey" PRIMARY KEY ("id")
);

-- "indexKey" is the same JSON object as a heartbeat's key (built from FaceChange's key columns).
CREATE TABLE "FaceChangeCompaction" (
    "indexKey" JSONB NOT NULL,
    "tenantId" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "compactedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FaceChangeCompaction_pkey" PRIMARY KEY ("indexKey")
);

CREATE INDEX "FaceChangeCompaction_tenantId_idx" ON "FaceChangeCompaction"("tenantId");
