/**
 * The API key roles, listed once. Auth, the use cases and the GraphQL enum read this list;
 * db/role-mapping.ts maps Prisma's generated enum onto it, so nothing above db/ depends on Prisma.
 */
export const ROLES = ['ADMIN', 'OPERATOR', 'CLIENT', 'VIEWER'] as const;

export type Role = (typeof ROLES)[number];
