import type { Repositories } from './db/index.js';
import { createPersonService } from './people/index.js';
import { createTenantService, readSettings, type TenantServiceDeps } from './tenants/index.js';
import {
  createEnrollmentService,
  createEventsService,
  createIdentifyService,
  type EnrollmentPolicy,
  type FaceAnalyzer,
  type SearchFaces,
} from './recognition/index.js';
import { AppError } from './errors.js';

export interface ServiceDeps {
  repos: Repositories;
  knownModels: TenantServiceDeps['knownModels'];
  analyze: FaceAnalyzer;
  search: SearchFaces;
  /** Resolves once this process's index reflects a committed face change. */
  indexChanged: (tenantId: string, model: string) => Promise<void>;
  enrollmentPolicy: EnrollmentPolicy;
  maxImageBytes: number;
  onDecision?: (decision: 'MATCH' | 'UNKNOWN' | 'NO_FACE') => void;
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
  return {
    tenants: createTenantService({ ...deps, facesOfOtherModels: (tenantId, model) => repos.enrollment.countFacesOfOtherModels(tenantId, model) }),
    people: createPersonService({ repos, facesRemoved: deps.indexChanged }),
    enrollment: createEnrollmentService({ repos, analyze: deps.analyze, policy: deps.enrollmentPolicy, tenantModel, indexChanged: deps.indexChanged }),
    identify: createIdentifyService({ repos, analyze: deps.analyze, search: deps.search, settings, maxImageBytes: deps.maxImageBytes, ...(deps.onDecision ? { onDecision: deps.onDecision } : {}) }),
    events: createEventsService({ repos }),
  };
}

export type Services = ReturnType<typeof createServices>;
