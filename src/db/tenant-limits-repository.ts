import type { PrismaClient } from './generated/client.js';
import { isUuid } from './ids.js';
import { auditData } from './audit-write.js';

/** A tenant's stored limit overrides and the counts its size quotas are checked against. */
export function tenantLimitsRepository(prisma: PrismaClient) {
  return {
    /** Null when there is no such tenant. */
    async limits(tenantId: string): Promise<unknown | null> {
      if (!isUuid(tenantId)) return null;
      const row = await prisma.tenant.findUnique({ where: { id: tenantId }, select: { limits: true } });
      return row ? row.limits : null;
    },
    /** Set by the platform admin; its audit row in the tenant's log commits with it. */
    async setLimits(tenantId: string, limits: object): Promise<void> {
      await prisma.$transaction([
        prisma.tenant.update({ where: { id: tenantId }, data: { limits } }),
        prisma.auditLog.create({ data: auditData(tenantId, { type: 'PLATFORM' }, 'tenant.limits.update', tenantId) }),
      ]);
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
