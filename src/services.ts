import type { Repositories } from './db/index.js';
import { createPersonService } from './people/index.js';
import { createTenantService, readSettings, type TenantServiceDeps } from './tenants/index.js';
import { createEnrollmentService, createVideoEnrollmentService, type EnrollmentPolicy } from './enrollment/index.js';
import { createEventsService } from './events/index.js';
import { createIdentifyService, createFrameIdentifyService, type IdentifyDeps } from './identify/index.js';
import type { FaceAnalyzer, FrameAnalyzer } from './vision/index.js';
import type { SearchFaces } from './search/index.js';
import { AppError } from './errors.js';
import type { VideoSettings } from './video/index.js';

export interface ServiceDeps {
  repos: Repositories;
  knownModels: TenantServiceDeps['knownModels'];
  analyze: FaceAnalyzer;
  search: SearchFaces;
  /** Resolves once this process's index reflects a committed face change. */
  indexChanged: (tenantId: string, model: string) => Promise<void>;
  enrollmentPolicy: EnrollmentPolicy;
  maxImageBytes: number;
  /** The pipeline for decoded video frames. */
  analyzeFrame: FrameAnalyzer;
  video: VideoSettings;
  /** Most frames per identifyFrames call, and per sampled identifyVideo. */
  maxFrames: number;
  onIdentified?: IdentifyDeps['onIdentified'];
}

/** The use cases resolvers call, each with (viewer, input). */
export function createServices(deps: ServiceDeps) {
  const { repos } = deps;
  const settings = async (tenantId: string) => {
    const tenant = await repos.tenants.byId(tenantId);
    if (!tenant) throw new AppError('UNAUTHENTICATED', 'The tenant of this API key no longer exists.');
    return readSettings(tenant.settings);
  };
  const tenantModel = async (tenantId: string) => (await settings(tenantId)).model;
  const enrollment = createEnrollmentService({ repos, analyze: deps.analyze, policy: deps.enrollmentPolicy, tenantModel, indexChanged: deps.indexChanged });
  const identify = createIdentifyService({ repos, analyze: deps.analyze, search: deps.search, settings, maxImageBytes: deps.maxImageBytes, onIdentified: deps.onIdentified });
  return {
    tenants: createTenantService({ ...deps, facesOfOtherModels: (tenantId, model) => repos.enrollment.countFacesOfOtherModels(tenantId, model) }),
    people: createPersonService({ repos, facesRemoved: deps.indexChanged }),
    enrollment,
    identify,
    events: createEventsService({ repos }),
    videoEnrollment: createVideoEnrollmentService({ repos, enrollment, analyzeFrame: deps.analyzeFrame, tenantModel, video: deps.video }),
    frames: createFrameIdentifyService({
      repos, identify, analyze: deps.analyze, analyzeFrame: deps.analyzeFrame, settings, maxFrames: deps.maxFrames, maxImageBytes: deps.maxImageBytes, video: deps.video, onIdentified: deps.onIdentified,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
