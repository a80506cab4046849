import type { PrismaClient } from './generated/client.js';
import { isUuid } from './ids.js';

/** A tenant's stored limit overrides and the counts its size quotas are checked against. */
export function tenantLimitsRepository(prisma: PrismaClient) {
  return {
    /** Null when there is no such tenant. */
    async limits(tenantId: string): Promise<unknown | null> {
      if (!isUuid(tenantId)) return null;
      const row = await prisma.tenant.findUnique({ where: { id: tenantId }, select: { limits: true } });
      return row ? row.limits : null;
    },
    async setLimits(tenantId: string, limits: object): Promise<void> {
      await prisma.tenant.update({ where: { id: tenantId }, data: { limits } });
    },
    async countPeople(tenantId: string): Promise<number> {
      return prisma.person.count({ where: { tenantId } });
    },
    async countFaces(tenantId: string): Promise<number> {
      return prisma.face.count({ where: { tenantId } });
    },
  };
}

export type TenantLimitsRepository = ReturnType<typeof tenantLimitsRepository>;
