import type { ApiKeyRole } from './generated/enums.js';
import type { Role } from '../roles.js';

// Two tables, each exhaustive in one direction: a role added on either side fails typecheck here.
const FROM_PRISMA = { ADMIN: 'ADMIN', OPERATOR: 'OPERATOR', CLIENT: 'CLIENT', VIEWER: 'VIEWER' } as const satisfies Record<ApiKeyRole, Role>;
const TO_PRISMA = { ADMIN: 'ADMIN', OPERATOR: 'OPERATOR', CLIENT: 'CLIENT', VIEWER: 'VIEWER' } as const satisfies Record<Role, ApiKeyRole>;

export const roleFromPrisma = (role: ApiKeyRole): Role => FROM_PRISMA[role];
export const roleToPrisma = (role: Role): ApiKeyRole => TO_PRISMA[role];
