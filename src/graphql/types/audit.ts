import { arg, enumType, extendType, inputObjectType, intArg, objectType, stringArg } from 'nexus';
import { connectionTypes, DEFAULT_PAGE_SIZE, toConnection } from './relay.js';

export const AuditActorTypeEnum = enumType({
  name: 'AuditActorType',
  description: 'KEY: an API key of the tenant; PLATFORM: the platform admin; SYSTEM: a background job (retention).',
  members: ['KEY', 'PLATFORM', 'SYSTEM'],
});

export const AuditEntry = objectType({
  name: 'AuditEntry',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.field('actorType', { type: 'AuditActorType' });
    t.id('actorKeyId', { description: 'The API key that acted, for actorType KEY.' });
    t.nonNull.string('action', { description: 'e.g. person.create, apiKey.rotate, person.erase, tenant.suspend.' });
    t.nonNull.string('targetId', { resolve: (root) => root.target });
    t.nonNull.field('details', { type: 'JSON', description: 'What changed; {"redacted": true} after an erasure of the person concerned.' });
    t.nonNull.field('createdAt', { type: 'DateTime' });
  },
});

export const PlatformAuditEntry = objectType({
  name: 'PlatformAuditEntry',
  definition(t) {
    t.nonNull.id('id');
    t.id('tenantId', { description: 'The tenant acted on; kept after the tenant is deleted.' });
    t.nonNull.string('action');
    t.nonNull.string('targetId', { resolve: (root) => root.target });
    t.nonNull.field('details', { type: 'JSON' });
    t.nonNull.field('createdAt', { type: 'DateTime' });
  },
});

export const AuditLogFilter = inputObjectType({
  name: 'AuditLogFilter',
  definition(t) {
    t.string('action');
    t.id('actorKeyId');
    t.id('targetId');
    t.field('from', { type: 'DateTime', description: 'Inclusive.' });
    t.field('to', { type: 'DateTime', description: 'Exclusive.' });
  },
});

export const PlatformAuditLogFilter = inputObjectType({
  name: 'PlatformAuditLogFilter',
  definition(t) {
    t.string('action');
    t.id('targetId');
    t.field('from', { type: 'DateTime' });
    t.field('to', { type: 'DateTime' });
  },
});

export const AuditQueries = extendType({
  type: 'Query',
  definition(t) {
    t.nonNull.field('auditLog', {
      type: 'AuditEntryConnection',
      description: 'ADMIN only. Newest first.',
      args: { first: intArg({ default: DEFAULT_PAGE_SIZE }), after: stringArg(), filter: arg({ type: 'AuditLogFilter' }) },
      resolve: async (_r, args, ctx) => toConnection(await ctx.services.audit.list(ctx.viewer, { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after, filter: args.filter })),
    });
    t.nonNull.field('platformAuditLog', {
      type: 'PlatformAuditEntryConnection',
      description: 'Platform admin only: the platform admin’s own actions, newest first.',
      args: { first: intArg({ default: DEFAULT_PAGE_SIZE }), after: stringArg(), filter: arg({ type: 'PlatformAuditLogFilter' }) },
      resolve: async (_r, args, ctx) => toConnection(await ctx.services.audit.listPlatform(ctx.viewer, { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after, filter: args.filter })),
    });
  },
});

export const auditTypes = [
  AuditActorTypeEnum, AuditEntry, PlatformAuditEntry, AuditLogFilter, PlatformAuditLogFilter, AuditQueries,
  ...connectionTypes('AuditEntry'), ...connectionTypes('PlatformAuditEntry'),
];
