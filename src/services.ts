import type { Repositories } from './db/index.js';
import { createPersonService } from './people/index.js';
import { createTenantService, type TenantServiceDeps } from './tenants/index.js';

export interface ServiceDeps {
  repos: Repositories;
  knownModels: TenantServiceDeps['knownModels'];
  facesOfOtherModels: TenantServiceDeps['facesOfOtherModels'];
}

/** The use cases resolvers call, each with (viewer, input). */
export function createServices(deps: ServiceDeps) {
  return {
    tenants: createTenantService(deps),
    people: createPersonService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
