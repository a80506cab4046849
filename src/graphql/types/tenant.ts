import { enumType, extendType, inputObjectType, intArg, nonNull, objectType, stringArg, arg } from 'nexus';
import { connectionTypes, DEFAULT_PAGE_SIZE, toConnection } from './relay.js';
import { ROLES } from '../../roles.js';

export const ApiKeyRoleEnum = enumType({ name: 'ApiKeyRole', members: [...ROLES] });
import { VOTE_OVERRIDES } from '../../tenants/index.js';
import { policyFields } from './tenant-policy.js';

export const VoteOverrideEnum = enumType({
  name: 'VoteOverride',
  description: 'How far a key may override k1/k2/threshold on one request: NONE, STRICTER (a lower threshold only) or ANY.',
  members: [...VOTE_OVERRIDES],
});

export const TenantSettings = objectType({
  name: 'TenantSettings',
  description: 'How identify decides: the embedding model and the paper’s voting parameters.',
  definition(t) {
    t.nonNull.string('model', { description: 'Embedding model id, e.g. face-arcface-512 or clip-vit-b32.' });
    t.nonNull.int('k1', { description: 'Neighbours that vote first.' });
    t.nonNull.int('k2', { description: 'Neighbours consulted when the first k1 tie.' });
    t.nonNull.float('threshold', { description: 'Largest L2 distance (unit vectors, 0..2) that counts as a vote.' });
    t.nonNull.list.nonNull.id('defaultGalleryIds', { description: 'The default gallery set: searched when identify names no gallery, joined by people created without galleryIds.' });
    policyFields(t, true);
  },
});

export const Tenant = objectType({
  name: 'Tenant',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.string('name');
    t.nonNull.string('slug');
    t.nonNull.field('settings', { type: 'TenantSettings' });
    t.nonNull.field('createdAt', { type: 'DateTime' });
    t.nonNull.field('status', { type: 'TenantStatus' });
    t.nonNull.field('retention', { type: 'RetentionSettings', resolve: (root) => root });
  },
});

export const ApiKey = objectType({
  name: 'ApiKey',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.string('name');
    t.nonNull.field('role', { type: 'ApiKeyRole' });
    t.nonNull.string('prefix', { description: 'Public part of the key, to tell keys apart.' });
    t.nonNull.field('createdAt', { type: 'DateTime' });
    t.field('lastUsedAt', { type: 'DateTime' });
    t.field('revokedAt', { type: 'DateTime' });
    t.field('expiresAt', { type: 'DateTime', description: 'After this the key is refused (UNAUTHENTICATED, saying it expired).' });
    t.nonNull.list.nonNull.id('galleryIds', { description: 'The galleries a scoped key may identify against and whose people it may read; empty: not scoped.' });
  },
});

export const CreatedApiKey = objectType({
  name: 'CreateApiKeyPayload',
  definition(t) {
    t.nonNull.field('apiKey', { type: 'ApiKey' });
    t.nonNull.string('secret', { description: 'The bearer secret. Shown once: only its hash is stored.' });
  },
});

export const CreateTenantPayload = objectType({
  name: 'CreateTenantPayload',
  definition(t) {
    t.nonNull.field('tenant', { type: 'Tenant' });
    t.nonNull.field('apiKey', { type: 'ApiKey', description: 'The tenant’s first ADMIN key.' });
    t.nonNull.string('secret', { description: 'The first ADMIN key’s secret. Shown once.' });
  },
});

export const Viewer = objectType({
  name: 'Viewer',
  definition(t) {
    t.nonNull.field('role', { type: 'ApiKeyRole' });
    t.nonNull.field('tenant', { type: 'Tenant', resolve: (_root, _args, ctx) => ctx.services.tenants.viewerTenant(ctx.viewer) });
  },
});

export const CreateTenantInput = inputObjectType({
  name: 'CreateTenantInput',
  definition(t) {
    t.nonNull.string('name');
    t.nonNull.string('slug', { description: 'Unique, lowercase letters, digits and dashes.' });
  },
});

export const CreateApiKeyInput = inputObjectType({
  name: 'CreateApiKeyInput',
  definition(t) {
    t.nonNull.string('name');
    t.nonNull.field('role', { type: 'ApiKeyRole' });
    t.field('expiresAt', { type: 'DateTime', description: 'Optional; the key stops working then.' });
    t.list.nonNull.id('galleryIds', { description: 'CLIENT keys only: scope the key to these galleries (identify only against them, read only their people).' });
  },
});

export const RevokeApiKeyInput = inputObjectType({
  name: 'RevokeApiKeyInput',
  definition(t) {
    t.nonNull.id('id');
  },
});

export const UpdateTenantSettingsInput = inputObjectType({
  name: 'UpdateTenantSettingsInput',
  definition(t) {
    t.string('model');
    t.int('k1');
    t.int('k2');
    t.float('threshold');
    t.list.nonNull.id('defaultGalleryIds', { description: '1 to 20 galleries of the tenant.' });
    policyFields(t, false);
  },
});

export const TenantQueries = extendType({
  type: 'Query',
  definition(t) {
    t.field('viewer', {
      type: 'Viewer',
      description: 'The calling API key; null for the platform admin token.',
      resolve: (_root, _args, ctx) => ctx.services.tenants.viewer(ctx.viewer),
    });
    t.nonNull.field('tenants', {
      type: 'TenantConnection',
      description: 'Platform admin only.',
      args: { first: intArg({ default: DEFAULT_PAGE_SIZE }), after: stringArg(), search: stringArg({ description: 'Part of the name or slug.' }) },
      resolve: async (_root, args, ctx) => toConnection(await ctx.services.tenants.listTenants(ctx.viewer, { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after, search: args.search })),
    });
    t.nonNull.field('apiKeys', {
      type: 'ApiKeyConnection',
      description: 'ADMIN only.',
      args: { first: intArg({ default: DEFAULT_PAGE_SIZE }), after: stringArg() },
      resolve: async (_root, args, ctx) => toConnection(await ctx.services.tenants.listApiKeys(ctx.viewer, { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after })),
    });
  },
});

export const TenantMutations = extendType({
  type: 'Mutation',
  definition(t) {
    t.nonNull.field('createTenant', {
      type: 'CreateTenantPayload',
      description: 'Platform admin only. Returns the tenant’s first ADMIN key.',
      args: { input: nonNull(arg({ type: 'CreateTenantInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.tenants.createTenant(ctx.viewer, input),
    });
    t.nonNull.field('createApiKey', {
      type: 'CreateApiKeyPayload',
      args: { input: nonNull(arg({ type: 'CreateApiKeyInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.tenants.createApiKey(ctx.viewer, input),
    });
    t.nonNull.field('revokeApiKey', {
      type: 'ApiKey',
      args: { input: nonNull(arg({ type: 'RevokeApiKeyInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.tenants.revokeApiKey(ctx.viewer, input.id),
    });
    t.nonNull.field('updateTenantSettings', {
      type: 'Tenant',
      args: { input: nonNull(arg({ type: 'UpdateTenantSettingsInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.tenants.updateSettings(ctx.viewer, input),
    });
  },
});

export const tenantTypes = [
  ApiKeyRoleEnum, VoteOverrideEnum, TenantSettings, Tenant, ApiKey, CreatedApiKey, CreateTenantPayload, Viewer,
  CreateTenantInput, CreateApiKeyInput, RevokeApiKeyInput, UpdateTenantSettingsInput,
  TenantQueries, TenantMutations, ...connectionTypes('Tenant'), ...connectionTypes('ApiKey'),
];
