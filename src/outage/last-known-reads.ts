import { LRUCache } from 'lru-cache';
import { isDatabaseUnreachable, type Cursor, type PersonRecord, type Repositories, type TenantRecord } from '../db/index.js';
import { serviceUnavailable, type DatabaseOutage } from './database-outage.js';

export interface LastKnownReadsOptions {
  maxTenants?: number;
  maxPeople?: number;
  /** People of a tenant read ahead, in the background, the first time it is served. */
  warmPeoplePerTenant?: number;
}

const WARM_PAGE = 100;

/**
 * The tenant's settings and the matched people's records, remembered as last read so that the
 * use cases can answer while the database is unreachable (identify itself gets the settings with
 * its key, held by the outage key cache; enrollment and the rest read them here). In normal
 * operation every call still reads the database; the copies are used only during an outage,
 * within its grace. Keys start with the tenant id: one tenant's copy is never
 * another's answer. So that a camera can still name someone this process has not matched yet,
 * the first identify of a tenant also reads its people ahead (once, in the background, bounded).
 */
export function withLastKnownReads(repos: Repositories, outage: DatabaseOutage, options: LastKnownReadsOptions = {}): Repositories {
  const tenants = new LRUCache<string, TenantRecord>({ max: options.maxTenants ?? 10_000 });
  const people = new LRUCache<string, PersonRecord>({ max: options.maxPeople ?? 100_000 });
  const personKey = (tenantId: string, id: string) => `${tenantId}/${id}`;
  const warmed = new LRUCache<string, true>({ max: options.maxTenants ?? 10_000 });
  const warmLimit = options.warmPeoplePerTenant ?? 10_000;

  function warm(tenantId: string): void {
    if (warmLimit === 0 || warmed.has(tenantId)) return;
    warmed.set(tenantId, true);
    void (async () => {
      let after: Cursor | undefined;
      for (let read = 0; read < warmLimit; ) {
        const page = await repos.people.list(tenantId, { first: WARM_PAGE, ...(after ? { after } : {}) });
        // A copy read just now by identify is as fresh; only people not yet held are added.
        for (const p of page.items) if (!people.has(personKey(tenantId, p.id))) people.set(personKey(tenantId, p.id), p);
        read += page.items.length;
        const last = page.items.at(-1);
        if (!page.hasNextPage || !last) break;
        after = { createdAt: last.createdAt, id: last.id };
      }
    })().catch(() => warmed.delete(tenantId));
  }

  async function read<T>(fromDb: () => Promise<T>, fromMemory: () => T): Promise<T> {
    if (!outage.degraded()) {
      try {
        return await fromDb();
      } catch (err) {
        if (!isDatabaseUnreachable(err)) throw err;
        outage.reportUnreachable(err);
      }
    }
    outage.assertWithinGrace('identify');
    return fromMemory();
  }

  return {
    ...repos,
    tenants: {
      ...repos.tenants,
      byId: (tenantId) =>
        read(
          async () => {
            const tenant = await repos.tenants.byId(tenantId);
            if (tenant) tenants.set(tenantId, tenant);
            else tenants.delete(tenantId);
            return tenant;
          },
          () => {
            const tenant = tenants.get(tenantId);
            if (!tenant) throw serviceUnavailable('The database is unreachable and this tenant’s settings are not in memory; retry in a few seconds.');
            return tenant;
          },
        ),
    },
    people: {
      ...repos.people,
      byIds: (tenantId, ids) =>
        read(
          async () => {
            const found = await repos.people.byIds(tenantId, ids);
            for (const p of found) people.set(personKey(tenantId, p.id), p);
            warm(tenantId);
            return found;
          },
          () => {
            // A person missing here was never read by this process: answering without them
            // would turn a match into a silent Unknown, so the call fails visibly instead.
            const found = ids.map((id) => people.get(personKey(tenantId, id)));
            if (found.some((p) => p === undefined)) throw serviceUnavailable('The database is unreachable and a matched person’s record is not in memory; retry in a few seconds.');
            return found as PersonRecord[];
          },
        ),
    },
  };
}
