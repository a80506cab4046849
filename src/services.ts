import type { Repositories } from './db/index.js';
import { createPersonService } from './people/index.js';
import { createTenantService, readSettings, type TenantServiceDeps } from './tenants/index.js';
import { createEnrollmentService, createEnrollmentSteps, createVideoEnrollmentService, type EnrollmentPolicy } from './enrollment/index.js';
import { createEventsService } from './events/index.js';
import { createIdentifyService, createFrameIdentifyService, type IdentifyDeps } from './identify/index.js';
import type { FaceAnalyzer, FrameAnalyzer } from './vision/index.js';
import type { SearchFaces } from './search/index.js';
import { AppError } from './errors.js';
import { createRequestLoaders } from './loaders/request-loaders.js';
import { createReportService } from './reports/report-service.js';
import { createExportService } from './reports/export-service.js';
import { createVerifyService } from './identify/verify-service.js';
import type { LiveEvents } from './events/live-events.js';
import type { VideoSettings } from './video/index.js';
import type { ApiKeyHasher, TenantViewer } from './auth/index.js';
import { guardServices } from './quotas/guard-services.js';
import type { LimitsService } from './quotas/limits-service.js';
import { createTenantLifecycleService } from './lifecycle/tenant-lifecycle-service.js';
import { createErasureService } from './lifecycle/erasure-service.js';
import { createKeyRotationService } from './lifecycle/key-rotation-service.js';
import { createRetentionSettingsService } from './lifecycle/retention-settings-service.js';
import { createAuditService } from './audit/audit-service.js';
import { createGalleryService } from './galleries/gallery-service.js';
import { withKnownGalleries } from './galleries/known-galleries.js';

export interface ServiceDeps {
  repos: Repositories;
  knownModels: TenantServiceDeps['knownModels'];
  newTenantModel: TenantServiceDeps['newTenantModel'];
  analyze: FaceAnalyzer;
  search: SearchFaces;
  /** Resolves once this process's indexes of the tenant (of `model`, or all) reflect a committed face change. */
  indexChanged: (tenantId: string, model?: string) => Promise<void>;
  enrollmentPolicy: EnrollmentPolicy;
  maxImageBytes: number;
  /** The pipeline for decoded video frames. */
  analyzeFrame: FrameAnalyzer;
  video: VideoSettings;
  /** Most frames per identifyFrames call, and per sampled identifyVideo. */
  maxFrames: number;
  onIdentified?: IdentifyDeps['onIdentified'];
  apiKeyHasher: ApiKeyHasher;
  limits: LimitsService;
  /** Queues the durable tenant deletion job. */
  requestDeletion: (tenantId: string) => Promise<void>;
  /** Frees this process's indexes of a deleted tenant. */
  dropIndexes: (tenantId: string) => void;
  /** recognitionEventAdded: events written by any replica. */
  live: LiveEvents;
}

/** The use cases resolvers call, each with (viewer, input), with the tenant's quotas in front. */
export function createServices(deps: ServiceDeps) {
  return { ...guardServices<BaseServices>(createBaseServices(deps), deps.limits), limits: deps.limits };
}

function createBaseServices(deps: ServiceDeps) {
  const { repos } = deps;
  const settingsOf = async (tenantId: string) => {
    const tenant = await repos.tenants.byId(tenantId);
    if (!tenant) throw new AppError('UNAUTHENTICATED', 'The tenant of this API key no longer exists.');
    return readSettings(tenant.settings);
  };
  // The settings authentication read with the key in this request spare identify a round trip.
  const settings = async (v: TenantViewer) => (v.tenantSettings !== undefined ? readSettings(v.tenantSettings) : settingsOf(v.tenantId));
  const tenantModel = async (tenantId: string) => (await settingsOf(tenantId)).model;
  const defaultGalleryIds = async (tenantId: string) => (await settingsOf(tenantId)).defaultGalleryIds;
  const enrollmentDeps = { repos, analyze: deps.analyze, policy: deps.enrollmentPolicy, tenantModel, indexChanged: deps.indexChanged };
  const reports = createReportService({ repos });
  // The identify path checks named galleries from memory when it checked them recently.
  const searchRepos = withKnownGalleries(repos);
  const identify = createIdentifyService({ repos: searchRepos, analyze: deps.analyze, search: deps.search, settings, maxImageBytes: deps.maxImageBytes, onIdentified: deps.onIdentified });
  return {
    /** Fresh DataLoaders for one request. */
    loaders: () => createRequestLoaders(repos),
    tenants: createTenantService({ ...deps, facesOfOtherModels: (tenantId, model) => repos.enrollment.countFacesOfOtherModels(tenantId, model) }),
    people: createPersonService({ repos, facesRemoved: deps.indexChanged, defaultGalleryIds }),
    galleries: createGalleryService({ repos, indexChanged: deps.indexChanged, defaultGalleryIds }),
    enrollment: createEnrollmentService(enrollmentDeps),
    identify,
    events: createEventsService({ repos }),
    videoEnrollment: createVideoEnrollmentService({ repos, steps: createEnrollmentSteps(enrollmentDeps), analyzeFrame: deps.analyzeFrame, tenantModel, video: deps.video }),
    lifecycle: createTenantLifecycleService({ lifecycle: repos.lifecycle, requestDeletion: deps.requestDeletion, dropIndexes: deps.dropIndexes }),
    erasure: createErasureService({ erasure: repos.erasure, facesRemoved: deps.indexChanged }),
    keyRotation: createKeyRotationService({ rotation: repos.keyRotation, hasher: deps.apiKeyHasher }),
    retention: createRetentionSettingsService({ retention: repos.retention }),
    audit: createAuditService({ auditLog: repos.auditLog }),
    reports,
    exports: createExportService({ repos, reports }),
    live: deps.live,
    verify: createVerifyService({ repos: searchRepos, analyze: deps.analyze, search: deps.search, settings, maxImageBytes: deps.maxImageBytes }),
    frames: createFrameIdentifyService({
      repos: searchRepos, search: deps.search, analyze: deps.analyze, analyzeFrame: deps.analyzeFrame, settings, maxFrames: deps.maxFrames, maxImageBytes: deps.maxImageBytes, video: deps.video, onIdentified: deps.onIdentified,
    }),
  };
}

export type BaseServices = ReturnType<typeof createBaseServices>;
export type Services = ReturnType<typeof createServices>;
