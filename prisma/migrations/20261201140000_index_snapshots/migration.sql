-- Index snapshots kept in PostgreSQL itself (issue #16): a restarted or new replica reads a
-- tenant's serialised FAISS index instead of rebuilding it, with nothing else to run. The file
-- is stored in chunks so no single value nears bytea's 1 GB limit and no row is loaded whole.
CREATE TABLE "IndexSnapshot" (
    "id" BIGSERIAL NOT NULL,
    "tenantId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "chunks" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IndexSnapshot_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "IndexSnapshotChunk" (
    "id" BIGSERIAL NOT NULL,
    "snapshotId" BIGINT NOT NULL,
    "tenantId" UUID NOT NULL,
    "no" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "IndexSnapshotChunk_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "IndexSnapshot_tenantId_key_seq_idx" ON "IndexSnapshot"("tenantId", "key", "seq");
CREATE UNIQUE INDEX "IndexSnapshotChunk_snapshotId_no_key" ON "IndexSnapshotChunk"("snapshotId", "no");
CREATE INDEX "IndexSnapshotChunk_tenantId_idx" ON "IndexSnapshotChunk"("tenantId");

ALTER TABLE "IndexSnapshot" ADD CONSTRAINT "IndexSnapshot_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "IndexSnapshotChunk" ADD CONSTRAINT "IndexSnapshotChunk_snapshotId_fkey" FOREIGN KEY ("snapshotId") REFERENCES "IndexSnapshot"("id") ON DELETE CASCADE ON UPDATE CASCADE;
