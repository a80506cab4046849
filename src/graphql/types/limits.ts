import { arg, extendType, inputObjectType, nonNull, objectType } from 'nexus';

const LIMIT_DOCS = {
  requestsPerSecondPerKey: 'Requests per second per API key (RATE_LIMITED when over).',
  requestsPerSecondPerTenant: 'Requests per second across all the tenant’s keys (RATE_LIMITED).',
  identifyPerDay: 'identify, identifyFrames and identifyVideo calls per 24-hour window (QUOTA_EXCEEDED).',
  enrolledImagesPerDay: 'Images sent to enrollment per 24-hour window; a video counts its maxFrames (QUOTA_EXCEEDED).',
  maxPeople: 'People the tenant may keep (QUOTA_EXCEEDED).',
  maxFaces: 'Enrolled faces the tenant may keep (QUOTA_EXCEEDED).',
} as const;

export const TenantLimits = objectType({
  name: 'TenantLimits',
  description: 'The limits in force for a tenant: the server defaults, or the platform admin’s overrides.',
  definition(t) {
    for (const [name, description] of Object.entries(LIMIT_DOCS)) t.nonNull.int(name, { description });
  },
});

export const TenantUsage = objectType({
  name: 'TenantUsage',
  description: 'What the tenant has used of its limits.',
  definition(t) {
    t.nonNull.int('identifyToday', { description: 'Identify calls in the current 24-hour window.' });
    t.field('identifyResetsAt', { type: 'DateTime', description: 'When the identify window ends; null when none is open.' });
    t.nonNull.int('enrolledImagesToday', { description: 'Enrollment images in the current 24-hour window.' });
    t.field('enrolledImagesResetsAt', { type: 'DateTime', description: 'When the enrollment window ends; null when none is open.' });
    t.nonNull.int('people');
    t.nonNull.int('faces');
  },
});

export const TenantLimitFields = extendType({
  type: 'Tenant',
  definition(t) {
    t.nonNull.field('limits', { type: 'TenantLimits', resolve: (tenant: { id: string }, _a, ctx) => ctx.services.limits.limits(ctx.viewer, tenant.id) });
    t.nonNull.field('usage', { type: 'TenantUsage', resolve: (tenant: { id: string }, _a, ctx) => ctx.services.limits.usage(ctx.viewer, tenant.id) });
  },
});

export const UpdateTenantLimitsInput = inputObjectType({
  name: 'UpdateTenantLimitsInput',
  description: 'A number sets the tenant’s own limit (0 allows none), null returns it to the server default, an absent field keeps it.',
  definition(t) {
    t.nonNull.id('tenantId');
    for (const [name, description] of Object.entries(LIMIT_DOCS)) t.int(name, { description });
  },
});

export const IssueTenantAdminKeyInput = inputObjectType({
  name: 'IssueTenantAdminKeyInput',
  definition(t) {
    t.nonNull.id('tenantId');
    t.nonNull.string('name');
  },
});

export const LimitMutations = extendType({
  type: 'Mutation',
  definition(t) {
    t.nonNull.field('updateTenantLimits', {
      type: 'TenantLimits',
      description: 'Platform admin only. Sets a tenant’s rate limits and quotas.',
      args: { input: nonNull(arg({ type: 'UpdateTenantLimitsInput' })) },
      resolve: (_root, { input: { tenantId, ...limits } }, ctx) => ctx.services.limits.updateTenantLimits(ctx.viewer, tenantId, limits),
    });
    t.nonNull.field('issueTenantAdminKey', {
      type: 'CreateApiKeyPayload',
      description: 'Platform admin only: a new ADMIN key for a tenant that lost its own (audited).',
      args: { input: nonNull(arg({ type: 'IssueTenantAdminKeyInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.tenants.issueTenantAdminKey(ctx.viewer, input),
    });
  },
});

export const limitTypes = [TenantLimits, TenantUsage, TenantLimitFields, UpdateTenantLimitsInput, IssueTenantAdminKeyInput, LimitMutations];
