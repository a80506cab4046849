import { TENANT_TABLES, type TenantLifecycleRepository } from '../db/tenant-lifecycle-repository.js';

export interface TenantDeletionOptions {
  /** Rows per batch (per short transaction). */
  batchSize: number;
  /** A run stops after this long and asks to be queued again, so no job outlives its lease. */
  budgetMs: number;
  clock?: () => number;
  /** The index snapshot store: a tenant's snapshots go with its rows (a directory store is not in the database). */
  snapshots?: { removeTenant(tenantId: string): Promise<void> } | null;
}

export type DeletionRun = 'finished' | 'more' | 'nothing';

/**
 * One slice of a tenant deletion. Everything it does is idempotent and committed batch by
 * batch, so a run killed anywhere is simply run again; a run for a tenant that is not DELETING
 * (already DELETED, or never asked) does nothing.
 */
export async function runTenantDeletion(
  repo: Pick<TenantLifecycleRepository, 'byId' | 'deleteBatch' | 'finishDeletion'>,
  tenantId: string,
  options: TenantDeletionOptions,
): Promise<DeletionRun> {
  const clock = options.clock ?? Date.now;
  const tenant = await repo.byId(tenantId);
  if (tenant?.status !== 'DELETING') return 'nothing';
  const deadline = clock() + options.budgetMs;
  for (const table of TENANT_TABLES) {
    for (;;) {
      const removed = await repo.deleteBatch(tenantId, table, options.batchSize);
      if (removed < options.batchSize) break;
      if (clock() >= deadline) return 'more';
    }
  }
  await options.snapshots?.removeTenant(tenantId);
  return (await repo.finishDeletion(tenantId)) ? 'finished' : 'nothing';
}
