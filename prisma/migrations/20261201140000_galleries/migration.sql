-- Galleries within a tenant (issue 17). A person belongs to any number of galleries; each
-- (tenant, gallery, model) has its own in-memory index, so the face change log names the gallery.

CREATE TABLE "Gallery" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "Gallery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Gallery_tenantId_name_key" ON "Gallery"("tenantId", "name");
CREATE INDEX "Gallery_tenantId_createdAt_idx" ON "Gallery"("tenantId", "createdAt");
ALTER TABLE "Gallery" ADD CONSTRAINT "Gallery_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "GalleryMember" (
    "galleryId" UUID NOT NULL,
    "personId" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "GalleryMember_pkey" PRIMARY KEY ("galleryId", "personId")
);
-- A person's galleries (Person.galleries, the change log of their faces).
CREATE INDEX "GalleryMember_personId_idx" ON "GalleryMember"("personId");
CREATE INDEX "GalleryMember_tenantId_idx" ON "GalleryMember"("tenantId");
ALTER TABLE "GalleryMember" ADD CONSTRAINT "GalleryMember_galleryId_fkey" FOREIGN KEY ("galleryId") REFERENCES "Gallery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "GalleryMember" ADD CONSTRAINT "GalleryMember_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "GalleryMember" ADD CONSTRAINT "GalleryMember_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Nothing changes for current clients: every tenant gets a "default" gallery holding everyone,
-- and it is the tenant's default gallery set (what identify searches when no gallery is named).
INSERT INTO "Gallery" ("id", "tenantId", "name", "description", "updatedAt")
SELECT gen_random_uuid(), t."id", 'default', 'Everyone enrolled before galleries existed.', now() FROM "Tenant" t;
INSERT INTO "GalleryMember" ("galleryId", "personId", "tenantId")
SELECT g."id", p."id", p."tenantId" FROM "Person" p JOIN "Gallery" g ON g."tenantId" = p."tenantId" AND g."name" = 'default';
UPDATE "Tenant" t SET "settings" = t."settings" || jsonb_build_object('defaultGalleryIds', jsonb_build_array(g."id"::text))
  FROM "Gallery" g WHERE g."tenantId" = t."id" AND g."name" = 'default';

-- The log so far described the one index per (tenant, model): it is now the default gallery's.
ALTER TABLE "FaceChange" ADD COLUMN "galleryId" UUID;
UPDATE "FaceChange" c SET "galleryId" = g."id" FROM "Gallery" g WHERE g."tenantId" = c."tenantId" AND g."name" = 'default';
ALTER TABLE "FaceChange" ALTER COLUMN "galleryId" SET NOT NULL;
DROP INDEX "FaceChange_tenantId_model_seq_idx";
CREATE INDEX "FaceChange_tenantId_galleryId_model_seq_idx" ON "FaceChange"("tenantId", "galleryId", "model", "seq");

-- A key scoped to galleries identifies only against them and reads only their people (empty: not scoped).
ALTER TABLE "ApiKey" ADD COLUMN "galleryIds" UUID[] NOT NULL DEFAULT '{}';

-- The galleries an identify searched, so reports can group by gallery.
ALTER TABLE "RecognitionEvent" ADD COLUMN "galleryIds" UUID[] NOT NULL DEFAULT '{}';
