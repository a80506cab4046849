-- pgvector stores the embeddings; FAISS searches them in memory.
CREATE EXTENSION IF NOT EXISTS vector;

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('ADMIN', 'OPERATOR', 'CLIENT', 'VIEWER');
CREATE TYPE "EnrollmentStatus" AS ENUM ('OPEN', 'COMPLETED', 'CANCELLED', 'FAILED');
CREATE TYPE "EnrollmentSource" AS ENUM ('IMAGES', 'VIDEO', 'IMPORT');
CREATE TYPE "RecognitionDecision" AS ENUM ('MATCH', 'UNKNOWN', 'NO_FACE');
CREATE TYPE "FaceChangeOp" AS ENUM ('ADD', 'DELETE');

-- CreateTable
CREATE TABLE "Tenant" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Person" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "displayName" TEXT NOT NULL,
    "externalId" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "Person_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "EnrollmentSession" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "personId" UUID NOT NULL,
    "status" "EnrollmentStatus" NOT NULL DEFAULT 'OPEN',
    "source" "EnrollmentSource" NOT NULL,
    "imagesAccepted" INTEGER NOT NULL DEFAULT 0,
    "imagesRejected" INTEGER NOT NULL DEFAULT 0,
    "stats" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "completedAt" TIMESTAMPTZ(3),
    CONSTRAINT "EnrollmentSession_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Face" (
    "id" BIGSERIAL NOT NULL,
    "tenantId" UUID NOT NULL,
    "personId" UUID NOT NULL,
    "sessionId" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "embedding" vector NOT NULL,
    "searchable" BOOLEAN NOT NULL DEFAULT false,
    "boxX" DOUBLE PRECISION NOT NULL,
    "boxY" DOUBLE PRECISION NOT NULL,
    "boxWidth" DOUBLE PRECISION NOT NULL,
    "boxHeight" DOUBLE PRECISION NOT NULL,
    "detectionScore" DOUBLE PRECISION NOT NULL,
    "quality" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Face_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "FaceChange" (
    "seq" BIGSERIAL NOT NULL,
    "tenantId" UUID NOT NULL,
    "model" TEXT NOT NULL,
    "faceId" BIGINT NOT NULL,
    "op" "FaceChangeOp" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FaceChange_pkey" PRIMARY KEY ("seq")
);

CREATE TABLE "RecognitionEvent" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "personId" UUID,
    "decision" "RecognitionDecision" NOT NULL,
    "distance" DOUBLE PRECISION,
    "votes" INTEGER,
    "k1" INTEGER NOT NULL,
    "k2" INTEGER NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "model" TEXT NOT NULL,
    "source" TEXT,
    "frames" INTEGER NOT NULL DEFAULT 1,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "boxX" DOUBLE PRECISION,
    "boxY" DOUBLE PRECISION,
    "boxWidth" DOUBLE PRECISION,
    "boxHeight" DOUBLE PRECISION,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RecognitionEvent_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AuditLog" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "actorKeyId" UUID,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_slug_key" ON "Tenant"("slug");
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");
CREATE INDEX "ApiKey_tenantId_createdAt_idx" ON "ApiKey"("tenantId", "createdAt");
CREATE INDEX "Person_tenantId_createdAt_idx" ON "Person"("tenantId", "createdAt");
CREATE UNIQUE INDEX "Person_tenantId_externalId_key" ON "Person"("tenantId", "externalId");
CREATE INDEX "EnrollmentSession_tenantId_personId_idx" ON "EnrollmentSession"("tenantId", "personId");
CREATE INDEX "Face_tenantId_model_searchable_idx" ON "Face"("tenantId", "model", "searchable");
CREATE INDEX "Face_tenantId_personId_idx" ON "Face"("tenantId", "personId");
CREATE INDEX "Face_sessionId_idx" ON "Face"("sessionId");
CREATE INDEX "FaceChange_tenantId_model_seq_idx" ON "FaceChange"("tenantId", "model", "seq");
CREATE INDEX "RecognitionEvent_tenantId_createdAt_id_idx" ON "RecognitionEvent"("tenantId", "createdAt" DESC, "id" DESC);
CREATE INDEX "RecognitionEvent_tenantId_personId_createdAt_idx" ON "RecognitionEvent"("tenantId", "personId", "createdAt" DESC);
CREATE INDEX "RecognitionEvent_tenantId_source_createdAt_idx" ON "RecognitionEvent"("tenantId", "source", "createdAt" DESC);
CREATE INDEX "AuditLog_tenantId_createdAt_idx" ON "AuditLog"("tenantId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Person" ADD CONSTRAINT "Person_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "EnrollmentSession" ADD CONSTRAINT "EnrollmentSession_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "EnrollmentSession" ADD CONSTRAINT "EnrollmentSession_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Face" ADD CONSTRAINT "Face_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Face" ADD CONSTRAINT "Face_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Face" ADD CONSTRAINT "Face_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "EnrollmentSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "FaceChange" ADD CONSTRAINT "FaceChange_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "RecognitionEvent" ADD CONSTRAINT "RecognitionEvent_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "RecognitionEvent" ADD CONSTRAINT "RecognitionEvent_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
