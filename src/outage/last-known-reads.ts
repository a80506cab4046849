import { LRUCache } from 'lru-cache';
import { isDatabaseUnreachable, type Cursor, type GalleryRecord, type PersonRecord, type Repositories, type TenantRecord } from '../db/index.js';
import { serviceUnavailable, type DatabaseOutage } from './database-outage.js';

export interface LastKnownReadsOptions {
  maxTenants?: number;
  maxPeople?: number;
  /** People of a tenant read ahead, in the background, the first time it is served. */
  warmPeoplePerTenant?: number;
}

const WARM_PAGE = 100;

/**
 * The tenant's settings, the matched people's records and the galleries identify names,
 * remembered as last read so that the use cases can answer while the database is unreachable
 * (identify itself gets the settings with its key, held by the outage key cache; enrollment and
 * the rest read them here). In normal operation every call still goes to the repositories (whose
 * person read may answer from the notification-evicted read cache, src/db/cached-repositories.ts,
 * which a lost connection turns off); the copies
 * are used only during an outage, within its grace. Keys start with the tenant id: one tenant's copy is never
 * another's answer. So that a camera can still name someone this process has not matched yet,
 * the first identify of a tenant also reads its people ahead (once, in the background, bounded).
 */
export function withLastKnownReads(repos: Repositories, outage: DatabaseOutage, options: LastKnownReadsOptions = {}): Repositories {
  const tenants = new LRUCache<string, TenantRecord>({ max: options.maxTenants ?? 10_000 });
  const people = new LRUCache<string, PersonRecord>({ max: options.maxPeople ?? 100_000 });
  const personKey = (tenantId: string, id: string) => `${tenantId}/${id}`; // also keys galleries
  const warmed = new LRUCache<string, true>({ max: options.maxTenants ?? 10_000 });
  // Galleries an identify named, as last read: they are checked to exist before their indexes are searched.
  const galleries = new LRUCache<string, GalleryRecord>({ max: options.maxPeople ?? 100_000 });
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

  /** A by-ids read that remembers what it returns, and answers from that during an outage only if it holds every id. */
  function rememberedByIds<T extends { id: string }>(
    cache: LRUCache<string, T>,
    fromDb: (tenantId: string, ids: readonly string[]) => Promise<T[]>,
    what: string,
    afterRead?: (tenantId: string) => void,
  ) {
    return (tenantId: string, ids: readonly string[]): Promise<T[]> =>
      read(
        async () => {
          const found = await fromDb(tenantId, ids);
          for (const x of found) cache.set(personKey(tenantId, x.id), x);
          afterRead?.(tenantId);
          return found;
        },
        () => {
          const found = ids.map((id) => cache.get(personKey(tenantId, id)));
          if (found.some((x) => x === undefined)) throw serviceUnavailable(`The database is unreachable and ${what} is not in memory; retry in a few seconds.`);
          return found as T[];
        },
      );
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
    // A gallery not held here may exist: failing visibly beats a NOT_FOUND the database would not give.
    galleries: { ...repos.galleries, byIds: rememberedByIds(galleries, (t, ids) => repos.galleries.byIds(t, ids), 'a named gallery') },
    // A person missing here was never read by this process: answering without them would turn a
    // match into a silent Unknown, so the call fails visibly instead.
    people: { ...repos.people, byIds: rememberedByIds(people, (t, ids) => repos.people.byIds(t, ids), 'a matched person’s record', warm) },
  };
}
