import { arg, enumType, extendType, idArg, inputObjectType, nonNull, objectType } from 'nexus';

export const TenantStatusEnum = enumType({
  name: 'TenantStatus',
  description: 'ACTIVE ⇄ SUSPENDED (keys refused with TENANT_SUSPENDED, data kept); DELETING while the deletion job runs; DELETED when it has finished.',
  members: ['ACTIVE', 'SUSPENDED', 'DELETING', 'DELETED'],
});

export const RetentionSettings = objectType({
  name: 'RetentionSettings',
  description: 'How long this tenant’s data is kept; the retention purge applies it (README, Data lifecycle).',
  definition(t) {
    t.nonNull.int('eventRetentionDays', { description: 'Recognition events older than this are deleted.' });
    t.nonNull.int('auditRetentionDays', { description: 'Audit rows older than this are deleted.' });
    t.nonNull.int('enrollmentSessionTtlMinutes', { description: 'An OPEN enrollment session older than this is cancelled and its faces deleted.' });
  },
});

export const DeletionProgressEntry = objectType({
  name: 'DeletionProgressEntry',
  definition(t) {
    t.nonNull.string('table');
    t.nonNull.int('removed', { description: 'Rows removed so far.' });
  },
});

export const ManagedTenant = objectType({
  name: 'ManagedTenant',
  description: 'A tenant as the platform admin sees it: status and deletion progress (the row stays as a tombstone once DELETED).',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.string('name');
    t.nonNull.string('slug', { description: 'Freed when DELETED: becomes "<id>.deleted".' });
    t.nonNull.field('status', { type: 'TenantStatus' });
    t.field('statusChangedAt', { type: 'DateTime' });
    t.field('deletedAt', { type: 'DateTime', description: 'When the deletion job finished.' });
    t.nonNull.field('createdAt', { type: 'DateTime' });
    t.nonNull.list.nonNull.field('deletionProgress', {
      type: 'DeletionProgressEntry',
      resolve: (root) => Object.entries(root.deletionProgress).map(([table, removed]) => ({ table, removed: Number(removed) })),
    });
  },
});

export const ErasureReceipt = objectType({
  name: 'ErasureReceipt',
  definition(t) {
    t.nonNull.id('personId');
    t.nonNull.int('faces', { description: 'Faces (and their vectors) removed, from the database and every index.' });
    t.nonNull.int('events', { description: 'Recognition events naming the person that were deleted.' });
    t.nonNull.field('completedAt', { type: 'DateTime' });
  },
});

export const RotateApiKeyPayload = objectType({
  name: 'RotateApiKeyPayload',
  definition(t) {
    t.nonNull.field('apiKey', { type: 'ApiKey', description: 'The new key (same name and role).' });
    t.nonNull.string('secret', { description: 'The new key’s secret. Shown once.' });
    t.nonNull.field('previous', { type: 'ApiKey', description: 'The old key; it works until its expiresAt (the end of the grace period).' });
  },
});

const idInput = (name: string) =>
  inputObjectType({
    name,
    definition(t) {
      t.nonNull.id('id');
    },
  });

export const DeleteTenantInput = inputObjectType({
  name: 'DeleteTenantInput',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.string('confirmSlug', { description: 'The tenant’s slug, typed again to confirm.' });
  },
});

export const RotateApiKeyInput = inputObjectType({
  name: 'RotateApiKeyInput',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.int('graceMinutes', { description: 'How long the old secret keeps working (0 to 10080).' });
  },
});

export const UpdateRetentionSettingsInput = inputObjectType({
  name: 'UpdateRetentionSettingsInput',
  definition(t) {
    t.int('eventRetentionDays');
    t.int('auditRetentionDays');
    t.int('enrollmentSessionTtlMinutes');
  },
});

export const LifecycleQueries = extendType({
  type: 'Query',
  definition(t) {
    t.nonNull.field('tenant', {
      type: 'ManagedTenant',
      description: 'Platform admin only: a tenant’s status and deletion progress.',
      args: { id: nonNull(idArg()) },
      resolve: (_root, { id }, ctx) => ctx.services.lifecycle.tenant(ctx.viewer, id),
    });
  },
});

export const LifecycleMutations = extendType({
  type: 'Mutation',
  definition(t) {
    t.nonNull.field('deleteTenant', {
      type: 'ManagedTenant',
      description: 'Platform admin only. Keys stop working at once; a background job removes every row and index (watch tenant(id)).',
      args: { input: nonNull(arg({ type: 'DeleteTenantInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.lifecycle.delete(ctx.viewer, input),
    });
    t.nonNull.field('suspendTenant', {
      type: 'ManagedTenant',
      description: 'Platform admin only. Keys get TENANT_SUSPENDED (HTTP 403); data and indexes stay.',
      args: { input: nonNull(arg({ type: 'SuspendTenantInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.lifecycle.suspend(ctx.viewer, input.id),
    });
    t.nonNull.field('resumeTenant', {
      type: 'ManagedTenant',
      description: 'Platform admin only.',
      args: { input: nonNull(arg({ type: 'ResumeTenantInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.lifecycle.resume(ctx.viewer, input.id),
    });
    t.nonNull.field('erasePerson', {
      type: 'ErasureReceipt',
      description: 'ADMIN only. Removes the person, every face and vector, every recognition event naming them, and redacts their audit details (README, Data lifecycle).',
      args: { input: nonNull(arg({ type: 'ErasePersonInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.erasure.erasePerson(ctx.viewer, input.id),
    });
    t.nonNull.field('rotateApiKey', {
      type: 'RotateApiKeyPayload',
      description: 'ADMIN only. A new secret; the old one keeps working for graceMinutes.',
      args: { input: nonNull(arg({ type: 'RotateApiKeyInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.keyRotation.rotate(ctx.viewer, input),
    });
    t.nonNull.field('updateRetentionSettings', {
      type: 'RetentionSettings',
      description: 'ADMIN only.',
      args: { input: nonNull(arg({ type: 'UpdateRetentionSettingsInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.retention.update(ctx.viewer, input),
    });
  },
});

export const lifecycleTypes = [
  TenantStatusEnum, RetentionSettings, DeletionProgressEntry, ManagedTenant, ErasureReceipt, RotateApiKeyPayload,
  DeleteTenantInput, idInput('SuspendTenantInput'), idInput('ResumeTenantInput'), idInput('ErasePersonInput'), RotateApiKeyInput,
  UpdateRetentionSettingsInput, LifecycleQueries, LifecycleMutations,
];
