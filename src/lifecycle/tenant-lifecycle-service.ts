import { AppError } from '../errors.js';
import { requirePlatform, type Viewer } from '../auth/index.js';
import type { TenantLifecycleRecord, TenantLifecycleRepository, TenantStatus } from '../db/tenant-lifecycle-repository.js';

export interface TenantLifecycleDeps {
  lifecycle: TenantLifecycleRepository;
  /** Queues the durable deletion job. */
  requestDeletion: (tenantId: string) => Promise<void>;
  /** Frees this process's in-memory indexes of a tenant no request may use any more. */
  dropIndexes: (tenantId: string) => void;
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No tenant with id "${id}".`, { field: 'id' });
}

/** Platform-admin operations on a tenant's status: suspension, resumption and deletion. */
export function createTenantLifecycleService({ lifecycle, requestDeletion, dropIndexes }: TenantLifecycleDeps) {
  async function move(id: string, from: readonly TenantStatus[], to: TenantStatus, action: string, refuse: (t: TenantLifecycleRecord) => string | null) {
    const result = await lifecycle.transition(id, from, to, { action });
    if (!result) throw notFound(id);
    if (!result.changed) {
      const reason = refuse(result.tenant);
      if (reason) throw new AppError('CONFLICT', reason, { field: 'id', status: result.tenant.status });
    }
    return result.tenant;
  }
  const gone = (t: TenantLifecycleRecord) => (t.status === 'DELETING' || t.status === 'DELETED' ? `Tenant "${t.id}" is ${t.status}; it cannot be suspended or resumed.` : null);

  return {
    async tenant(viewer: Viewer, id: string): Promise<TenantLifecycleRecord> {
      requirePlatform(viewer);
      const tenant = await lifecycle.byId(id);
      if (!tenant) throw notFound(id);
      return tenant;
    },

    /** Idempotent: suspending a suspended tenant returns it unchanged. */
    async suspend(viewer: Viewer, id: string): Promise<TenantLifecycleRecord> {
      requirePlatform(viewer);
      return move(id, ['ACTIVE'], 'SUSPENDED', 'tenant.suspend', gone);
    },

    async resume(viewer: Viewer, id: string): Promise<TenantLifecycleRecord> {
      requirePlatform(viewer);
      return move(id, ['SUSPENDED'], 'ACTIVE', 'tenant.resume', gone);
    },

    /**
     * Marks the tenant DELETING (its keys fail from the next request on, on every replica: the
     * status is read with the key) and queues the job that empties it. Asking again while it runs,
     * or after it finished, changes nothing.
     */
    async delete(viewer: Viewer, input: { id: string; confirmSlug: string }): Promise<TenantLifecycleRecord> {
      requirePlatform(viewer);
      const current = await lifecycle.byId(input.id);
      if (!current) throw notFound(input.id);
      if (current.status === 'DELETED') return current;
      if (current.status === 'ACTIVE' || current.status === 'SUSPENDED') {
        if (input.confirmSlug !== current.slug) {
          throw new AppError('BAD_USER_INPUT', `confirmSlug must be the tenant's slug ("${current.slug}") to confirm the deletion.`, { field: 'confirmSlug' });
        }
      }
      const tenant = await move(input.id, ['ACTIVE', 'SUSPENDED'], 'DELETING', 'tenant.delete', () => null);
      dropIndexes(tenant.id);
      if (tenant.status === 'DELETING') await requestDeletion(tenant.id);
      return tenant;
    },
  };
}

export type TenantLifecycleService = ReturnType<typeof createTenantLifecycleService>;
