-- Data lifecycle (issue 12): tenant status and deletion progress, retention settings, key
-- expiry, a readable audit log with a typed actor, and the platform admin's own audit log.

CREATE TYPE "TenantStatus" AS ENUM ('ACTIVE', 'SUSPENDED', 'DELETING', 'DELETED');
CREATE TYPE "AuditActorType" AS ENUM ('KEY', 'PLATFORM', 'SYSTEM');

ALTER TABLE "Tenant"
    ADD COLUMN "status" "TenantStatus" NOT NULL DEFAULT 'ACTIVE',
    ADD COLUMN "statusChangedAt" TIMESTAMPTZ(3),
    ADD COLUMN "deletionProgress" JSONB NOT NULL DEFAULT '{}',
    ADD COLUMN "deletedAt" TIMESTAMPTZ(3),
    ADD COLUMN "eventRetentionDays" INTEGER NOT NULL DEFAULT 90,
    ADD COLUMN "auditRetentionDays" INTEGER NOT NULL DEFAULT 365,
    ADD COLUMN "enrollmentSessionTtlMinutes" INTEGER NOT NULL DEFAULT 60;

ALTER TABLE "ApiKey" ADD COLUMN "expiresAt" TIMESTAMPTZ(3);

ALTER TABLE "AuditLog"
    ADD COLUMN "actorType" "AuditActorType" NOT NULL DEFAULT 'KEY',
    ADD COLUMN "details" JSONB NOT NULL DEFAULT '{}';
UPDATE "AuditLog" SET "actorType" = 'PLATFORM' WHERE "actorKeyId" IS NULL;

-- Platform admin actions outlive the tenants they touch (a deletion must stay on record).
CREATE TABLE "PlatformAuditLog" (
    "id" UUID NOT NULL,
    "tenantId" UUID,
    "action" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PlatformAuditLog_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Tenant_status_idx" ON "Tenant"("status");
CREATE INDEX "AuditLog_tenantId_target_idx" ON "AuditLog"("tenantId", "target");
CREATE INDEX "PlatformAuditLog_createdAt_idx" ON "PlatformAuditLog"("createdAt" DESC);
-- Retention purges by age and expires OPEN sessions by age.
CREATE INDEX "EnrollmentSession_tenantId_status_createdAt_idx" ON "EnrollmentSession"("tenantId", "status", "createdAt");
