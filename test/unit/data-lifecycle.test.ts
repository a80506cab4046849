import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTenantDeletion } from '../../src/lifecycle/tenant-deletion.js';
import { purgeRetention } from '../../src/lifecycle/retention-purge.js';
import { assertKeyUsable } from '../../src/auth/key-usable.js';
import { AppError } from '../../src/errors.js';
import type { TenantStatus } from '../../src/db/tenant-lifecycle-repository.js';
import type { RetentionRepository } from '../../src/db/retention-repository.js';

/** A tenant's tables as counts, deleted from in batches like the real repository. */
function fakeTenant(status: TenantStatus, rows: Record<string, number>) {
  const state = { status, rows: { ...rows }, batches: 0 };
  const repo = {
    async byId() {
      return { status: state.status } as never;
    },
    async deleteBatch(_id: string, table: string, limit: number) {
      state.batches++;
      const n = Math.min(limit, state.rows[table] ?? 0);
      state.rows[table] = (state.rows[table] ?? 0) - n;
      return n;
    },
    async finishDeletion() {
      if (state.status !== 'DELETING') return false;
      state.status = 'DELETED';
      return true;
    },
  };
  return { state, repo };
}

describe('runTenantDeletion', () => {
  it('empties every table in batches and finishes; a second run does nothing', async () => {
    const { state, repo } = fakeTenant('DELETING', { RecognitionEvent: 25, Face: 7, Person: 3 });
    assert.equal(await runTenantDeletion(repo, 't', { batchSize: 10, budgetMs: 60_000 }), 'finished');
    assert.equal(state.status, 'DELETED');
    assert.ok(Object.values(state.rows).every((n) => n === 0));
    assert.equal(await runTenantDeletion(repo, 't', { batchSize: 10, budgetMs: 60_000 }), 'nothing');
  });

  it('stops when its time budget is spent and asks to run again', async () => {
    const { state, repo } = fakeTenant('DELETING', { RecognitionEvent: 100 });
    let now = 0;
    const clock = () => (now += 10);
    assert.equal(await runTenantDeletion(repo, 't', { batchSize: 10, budgetMs: 25, clock }), 'more');
    assert.equal(state.status, 'DELETING');
    assert.ok(state.rows.RecognitionEvent! > 0 && state.rows.RecognitionEvent! < 100);
  });

  it('never touches a tenant that is not DELETING', async () => {
    for (const status of ['ACTIVE', 'SUSPENDED', 'DELETED'] as const) {
      const { state, repo } = fakeTenant(status, { Person: 5 });
      assert.equal(await runTenantDeletion(repo, 't', { batchSize: 10, budgetMs: 1000 }), 'nothing');
      assert.equal(state.batches, 0);
    }
  });
});

describe('purgeRetention', () => {
  it('continues each batch from the oldest row the previous one deleted', async () => {
    const calls: { before: string; inclusive: boolean }[] = [];
    const day = (d: number) => new Date(Date.UTC(2030, 0, d));
    let left = 5;
    const repo = {
      async policies() {
        return [{ tenantId: 't', eventRetentionDays: 1, auditRetentionDays: 1, enrollmentSessionTtlMinutes: 1 }];
      },
      async purgeEvents(_t: string, before: Date, inclusive: boolean, limit: number) {
        calls.push({ before: before.toISOString(), inclusive });
        const removed = Math.min(limit, left);
        left -= removed;
        return { removed, oldest: removed > 0 ? day(10 - calls.length) : null };
      },
      async purgeAudit() {
        return { removed: 0, oldest: null };
      },
      async expireSessions() {
        return { sessions: 0, faces: 0 };
      },
    } as unknown as RetentionRepository;
    const result = await purgeRetention(repo, day(20), { batchSize: 2 });
    assert.equal(result.events, 5);
    assert.deepEqual(calls, [
      { before: day(19).toISOString(), inclusive: false },
      { before: day(9).toISOString(), inclusive: true },
      { before: day(8).toISOString(), inclusive: true },
    ]);
  });
});

describe('assertKeyUsable', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const code = (fn: () => void) => {
    try {
      fn();
      return null;
    } catch (err) {
      return (err as AppError).code;
    }
  };
  it('refuses an expired key and a key of a suspended or deleted tenant, each with its own code', () => {
    assert.equal(code(() => assertKeyUsable({ expiresAt: null, tenant: { status: 'ACTIVE' } }, now)), null);
    assert.equal(code(() => assertKeyUsable({ expiresAt: new Date('2030-01-02'), tenant: { status: 'ACTIVE' } }, now)), null);
    assert.equal(code(() => assertKeyUsable({ expiresAt: now, tenant: { status: 'ACTIVE' } }, now)), 'UNAUTHENTICATED');
    assert.equal(code(() => assertKeyUsable({ expiresAt: null, tenant: { status: 'SUSPENDED' } }, now)), 'TENANT_SUSPENDED');
    assert.equal(code(() => assertKeyUsable({ expiresAt: null, tenant: { status: 'DELETING' } }, now)), 'UNAUTHENTICATED');
    assert.equal(code(() => assertKeyUsable({ expiresAt: null, tenant: { status: 'DELETED' } }, now)), 'UNAUTHENTICATED');
  });
});
