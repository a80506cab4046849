import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/logger.js';
import { isAppError } from '../../src/errors.js';
import type { PersonRecord, Repositories, TenantRecord } from '../../src/db/index.js';
import { DatabaseOutage } from '../../src/outage/database-outage.js';
import { withLastKnownReads } from '../../src/outage/last-known-reads.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function person(tenantId: string, n: number): PersonRecord {
  const at = new Date(1_700_000_000_000 + n);
  return { id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, tenantId, displayName: `p${n}`, externalId: null, metadata: null, createdAt: at, updatedAt: at };
}

/** In-memory fakes of the two repositories identify reads, switchable to "database down". */
function fakeRepos() {
  const state = { down: false, people: [person('A', 1), person('A', 2), person('A', 3), person('B', 4)] };
  const tenants: Record<string, TenantRecord> = { A: { id: 'A', name: 'a', slug: 'a', settings: { k1: 2 }, createdAt: new Date(), status: 'ACTIVE', eventRetentionDays: 90, auditRetentionDays: 365, enrollmentSessionTtlMinutes: 60 } };
  const guard = () => {
    if (state.down) throw refused();
  };
  const repos = {
    tenants: { byId: async (id: string) => (guard(), tenants[id] ?? null) },
    people: {
      byIds: async (tenantId: string, ids: readonly string[]) => (guard(), state.people.filter((p) => p.tenantId === tenantId && ids.includes(p.id))),
      list: async (tenantId: string, args: { first: number; after?: { id: string } }) => {
        guard();
        const mine = state.people.filter((p) => p.tenantId === tenantId && (!args.after || p.id > args.after.id));
        return { items: mine.slice(0, args.first), hasNextPage: mine.length > args.first, totalCount: mine.length };
      },
    },
  } as unknown as Repositories;
  return { state, repos };
}

it('answers identify’s reads from the last copies during an outage only, per tenant, read ahead for unseen people', async () => {
  const { state, repos } = fakeRepos();
  const outage = new DatabaseOutage({ graceMs: 60_000, probe: async () => Promise.reject(refused()), probeIntervalMs: 60_000, logger: createLogger('silent') });
  const reads = withLastKnownReads(repos, outage);
  const [p1, , p3] = state.people;

  assert.equal((await reads.tenants.byId('A'))?.slug, 'a');
  assert.deepEqual(await reads.people.byIds('A', [p1!.id]), [p1]);
  await sleep(20); // the read-ahead of tenant A's people runs in the background

  // Normal operation reads the database: a rename is seen at once.
  state.people[0] = { ...p1!, displayName: 'renamed' };
  assert.equal((await reads.people.byIds('A', [p1!.id]))[0]?.displayName, 'renamed');

  state.down = true;
  assert.equal((await reads.tenants.byId('A'))?.slug, 'a');
  assert.equal(outage.degraded(), true);
  assert.deepEqual((await reads.people.byIds('A', [p1!.id, p3!.id])).map((p) => p.displayName), ['renamed', 'p3'], 'p3 was never matched: read ahead');
  // Tenant B was never served here, and A's copies are not B's answers.
  const unavailable = (err: unknown) => isAppError(err) && err.code === 'SERVICE_UNAVAILABLE';
  await assert.rejects(reads.people.byIds('B', [p1!.id]), unavailable);
  await assert.rejects(reads.tenants.byId('B'), unavailable);
  outage.stop();
});

it('passes other errors through untouched and refuses copies past the grace', async () => {
  const { state, repos } = fakeRepos();
  let now = 0;
  const outage = new DatabaseOutage({ graceMs: 1000, now: () => now, probe: async () => Promise.reject(refused()), probeIntervalMs: 60_000, logger: createLogger('silent') });
  const reads = withLastKnownReads(repos, outage, { warmPeoplePerTenant: 0 });
  await reads.tenants.byId('A');
  state.down = true;
  await reads.tenants.byId('A');
  now = 1000;
  await assert.rejects(reads.tenants.byId('A'), (err: unknown) => isAppError(err) && err.code === 'SERVICE_UNAVAILABLE');
  outage.stop();

  const broken = { ...repos, tenants: { byId: async () => Promise.reject(new Error('syntax error')) } } as unknown as Repositories;
  const healthy = new DatabaseOutage({ graceMs: 1000, probe: async () => undefined, logger: createLogger('silent') });
  await assert.rejects(withLastKnownReads(broken, healthy).tenants.byId('A'), /syntax error/);
  assert.equal(healthy.degraded(), false);
});
