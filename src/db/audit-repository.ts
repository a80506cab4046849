import type { PrismaClient } from './generated/client.js';

export function auditRepository(prisma: PrismaClient) {
  return {
    async record(tenantId: string, entry: { actorKeyId: string | null; action: string; target: string }): Promise<void> {
      await prisma.auditLog.create({ data: { tenantId, ...entry, actorType: entry.actorKeyId ? 'KEY' : 'PLATFORM' } });
    },
    async recordPlatform(entry: { tenantId: string | null; action: string; target: string }): Promise<void> {
      await prisma.platformAuditLog.create({ data: entry });
    },
    async list(tenantId: string, take = 100) {
      return prisma.auditLog.findMany({
        where: { tenantId },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take,
        select: { id: true, actorKeyId: true, action: true, target: true, createdAt: true },
      });
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
