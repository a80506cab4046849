import type { PrismaClient, TenantStatus } from './generated/client.js';
import { rethrowKnown } from './prisma-errors.js';
import { afterCursor, toPage, type Cursor, type Page } from './page.js';
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
    async create(input: { name: string; slug: string; settings: object }): Promise<TenantRecord> {
      try {
        return await prisma.tenant.create({ data: input, select });
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
