-- Per-tenant overrides of the default rate limits and quotas (src/limits/tenant-limits.ts).
ALTER TABLE "Tenant" ADD COLUMN "limits" JSONB NOT NULL DEFAULT '{}';

-- rate-limiter-flexible's PostgreSQL store, created here so the library never runs DDL
-- (its own statement, with the column names it queries).
CREATE TABLE "RateLimit" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,
    CONSTRAINT "RateLimit_pkey" PRIMARY KEY ("key")
);
