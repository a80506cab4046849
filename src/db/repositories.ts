import type { Database } from './database.js';
import { apiKeyRepository } from './api-key-repository.js';
import { enrollmentRepository } from './enrollment-repository.js';
import { eventRepository } from './event-repository.js';
import { personRepository } from './person-repository.js';
import { reportRepository } from './report-repository.js';
import { eventExportRepository } from './event-export-repository.js';
import { faceSearchRepository } from './face-search-repository.js';
import { usageRepository } from './usage-repository.js';
import { tenantRepository } from './tenant-repository.js';
import { tenantLimitsRepository } from './tenant-limits-repository.js';
import { tenantLifecycleRepository } from './tenant-lifecycle-repository.js';
import { retentionRepository } from './retention-repository.js';
import { erasureRepository } from './erasure-repository.js';
import { auditLogRepository } from './audit-log-repository.js';
import { keyRotationRepository } from './key-rotation-repository.js';
import { changeLogRepository } from './change-log-repository.js';
import { galleryRepository } from './gallery-repository.js';

export function createRepositories(db: Database) {
  return {
    tenants: tenantRepository(db.prisma),
    apiKeys: apiKeyRepository(db.prisma, db.pool),
    people: personRepository(db.prisma, db.pool),
    enrollment: enrollmentRepository(db.prisma, db.pool),
    // With LISTEN/NOTIFY (PostgreSQL), the insert announces itself; PGlite gets the in-process feed.
    events: eventRepository(db.prisma, db.pool, { announce: db.supportsListen }),
    tenantLimits: tenantLimitsRepository(db.prisma),
    lifecycle: tenantLifecycleRepository(db.pool),
    retention: retentionRepository(db.pool),
    erasure: erasureRepository(db.pool),
    auditLog: auditLogRepository(db.pool),
    keyRotation: keyRotationRepository(db.pool),
    changeLog: changeLogRepository(db.pool),
    reports: reportRepository(db.pool),
    eventExport: eventExportRepository(db.pool),
    faceSearch: faceSearchRepository(db.pool),
    usage: usageRepository(db.pool),
    galleries: galleryRepository(db.pool),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
