import type { Database } from './database.js';
import { apiKeyRepository } from './api-key-repository.js';
import { auditRepository } from './audit-repository.js';
import { enrollmentRepository } from './enrollment-repository.js';
import { eventRepository } from './event-repository.js';
import { personRepository } from './person-repository.js';
import { reportRepository } from './report-repository.js';
import { eventExportRepository } from './event-export-repository.js';
import { faceSearchRepository } from './face-search-repository.js';
import { usageRepository } from './usage-repository.js';
import { tenantRepository } from './tenant-repository.js';

export function createRepositories(db: Database) {
  return {
    tenants: tenantRepository(db.prisma),
    apiKeys: apiKeyRepository(db.prisma),
    people: personRepository(db.prisma, db.pool),
    audit: auditRepository(db.prisma),
    enrollment: enrollmentRepository(db.prisma, db.pool),
    events: eventRepository(db.prisma, db.pool),
    reports: reportRepository(db.pool),
    eventExport: eventExportRepository(db.pool),
    faceSearch: faceSearchRepository(db.pool),
    usage: usageRepository(db.pool),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
