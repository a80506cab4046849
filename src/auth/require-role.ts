import { AppError } from '../errors.js';
import type { Role } from '../roles.js';
import type { TenantViewer, Viewer } from './viewer.js';

/** What each role may do; resolvers name the capability, not the roles. */
export const CAPABILITIES = {
  readTenant: ['ADMIN', 'OPERATOR', 'CLIENT', 'VIEWER'],
  manageKeys: ['ADMIN'],
  manageSettings: ['ADMIN'],
  readPeople: ['ADMIN', 'OPERATOR', 'CLIENT', 'VIEWER'],
  managePeople: ['ADMIN', 'OPERATOR'],
  enroll: ['ADMIN', 'OPERATOR'],
  identify: ['ADMIN', 'OPERATOR', 'CLIENT'],
  readEvents: ['ADMIN', 'OPERATOR', 'VIEWER'],
} as const satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof CAPABILITIES;

export function requireTenant(viewer: Viewer, capability: Capability): TenantViewer {
  switch (viewer.kind) {
    case 'anonymous':
      throw new AppError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <secret>".');
    case 'platform':
      throw new AppError('FORBIDDEN', 'The platform admin token manages tenants only; use a tenant API key for this operation.');
    case 'tenant': {
      const allowed: readonly Role[] = CAPABILITIES[capability];
      if (!allowed.includes(viewer.role)) {
        throw new AppError('FORBIDDEN', `A ${viewer.role} key may not do this; it needs one of: ${allowed.join(', ')}.`);
      }
      return viewer;
    }
    default:
      return assertNever(viewer);
  }
}

export function requirePlatform(viewer: Viewer): void {
  if (viewer.kind === 'anonymous') throw new AppError('UNAUTHENTICATED', 'Send the platform admin token as "Authorization: Bearer <token>".');
  if (viewer.kind !== 'platform') throw new AppError('FORBIDDEN', 'Only the platform admin token may manage tenants.');
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
