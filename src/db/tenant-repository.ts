import { randomUUID } from 'node:crypto';
import type { PrismaClient, TenantStatus } from './generated/client.js';
import { DEFAULT_GALLERY_NAME } from './gallery-repository.js';
import { rethrowKnown } from './prisma-errors.js';
import { afterCursor, toPage, type Cursor, type Page } from './page.js';
import { auditData, type AuditActor } from './audit-write.js';
import { insertApiKey, type ApiKeyRecord, type NewApiKey } from './api-key-repository.js';
import { escapeLike } from './person-repository.js';

export interface TenantRecord {
  id: string;
  name: string;
  slug: string;
  settings: unknown;
  createdAt: Date;
  status: TenantStatus;
  eventRetentionDays: number;
  auditRetentionDays: number;
  enrollmentSessionTtlMinutes: number;
}

const select = {
  id: true, name: true, slug: true, settings: true, createdAt: true,
  status: true, eventRetentionDays: true, auditRetentionDays: true, enrollmentSessionTtlMinutes: true,
} as const;

export function tenantRepository(prisma: PrismaClient) {
  return {
    /**
     * The tenant, its first key and the audit rows (the tenant's and the platform's) in one
     * transaction: a tenant is never left without the key that was reported, nor unaudited. It
     * starts with one gallery, "default", which is its default gallery set: people created without
     * galleries join it and identify without galleries searches it.
     */
    async create(
      input: { name: string; slug: string; settings: object },
      firstKey: NewApiKey,
    ): Promise<{ tenant: TenantRecord; apiKey: ApiKeyRecord }> {
      const galleryId = randomUUID();
      try {
        return await prisma.$transaction(async (tx) => {
          const tenant = await tx.tenant.create({
            data: {
              ...input,
              settings: { ...input.settings, defaultGalleryIds: [galleryId] },
              galleries: { create: { id: galleryId, name: DEFAULT_GALLERY_NAME, description: 'The tenant’s first gallery; new people join it unless told otherwise.' } },
            },
            select,
          });
          const apiKey = await insertApiKey(tx, tenant.id, firstKey);
          const audit = { tenantId: tenant.id, action: 'tenant.create', target: tenant.id };
          await tx.auditLog.create({ data: auditData(tenant.id, { type: 'PLATFORM' }, audit.action, audit.target) });
          await tx.platformAuditLog.create({ data: audit });
          return { tenant, apiKey };
        });
      } catch (err) {
        rethrowKnown(err, `A tenant with slug "${input.slug}" already exists.`, 'slug');
      }
    },
    async byId(tenantId: string): Promise<TenantRecord | null> {
      return prisma.tenant.findUnique({ where: { id: tenantId }, select });
    },
    async bySlug(slug: string): Promise<TenantRecord | null> {
      return prisma.tenant.findUnique({ where: { slug }, select });
    },
    /** The settings and their audit row commit together. */
    async updateSettings(tenantId: string, settings: object, actor: AuditActor): Promise<TenantRecord> {
      const [tenant] = await prisma.$transaction([
        prisma.tenant.update({ where: { id: tenantId }, data: { settings }, select }),
        prisma.auditLog.create({ data: auditData(tenantId, actor, 'tenant.settings.update', tenantId) }),
      ]);
      return tenant;
    },
    /** `search`: part of the name or slug, case-insensitive (the console's tenant search). */
    async list(first: number, after: Cursor | undefined, search?: string): Promise<Page<TenantRecord>> {
      const where = search ? { OR: [{ name: { contains: escapeLike(search), mode: 'insensitive' as const } }, { slug: { contains: escapeLike(search), mode: 'insensitive' as const } }] } : {};
      const [rows, totalCount] = await Promise.all([
        prisma.tenant.findMany({ where: { ...where, ...afterCursor(after, 'asc') }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: first + 1, select }),
        prisma.tenant.count({ where }),
      ]);
      return toPage(rows, first, totalCount);
    },
  };
}

export type TenantRepository = ReturnType<typeof tenantRepository>;
