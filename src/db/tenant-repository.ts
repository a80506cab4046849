import { randomUUID } from 'node:crypto';
import type { PrismaClient, TenantStatus } from './generated/client.js';
import { DEFAULT_GALLERY_NAME } from './gallery-repository.js';
import { rethrowKnown } from './prisma-errors.js';
import { afterCursor, toPage, type Cursor, type Page } from './page.js';

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
     * A new tenant starts with one gallery, "default", which is its default gallery set: people
     * created without galleries join it and identify without galleries searches it.
     */
    async create(input: { name: string; slug: string; settings: object }): Promise<TenantRecord> {
      const galleryId = randomUUID();
      try {
        return await prisma.tenant.create({
          data: {
            ...input,
            settings: { ...input.settings, defaultGalleryIds: [galleryId] },
            galleries: { create: { id: galleryId, name: DEFAULT_GALLERY_NAME, description: 'The tenant’s first gallery; new people join it unless told otherwise.' } },
          },
          select,
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
    async updateSettings(tenantId: string, settings: object): Promise<TenantRecord> {
      return prisma.tenant.update({ where: { id: tenantId }, data: { settings }, select });
    },
    async list(first: number, after: Cursor | undefined): Promise<Page<TenantRecord>> {
      const [rows, totalCount] = await Promise.all([
        prisma.tenant.findMany({ where: afterCursor(after, 'asc'), orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: first + 1, select }),
        prisma.tenant.count(),
      ]);
      return toPage(rows, first, totalCount);
    },
  };
}

export type TenantRepository = ReturnType<typeof tenantRepository>;
