import type { KeyForAuth } from './api-key-repository.js';
import type { PersonRecord } from './person-repository.js';
import { personCacheKey, type Invalidation, type ReadCaches } from './read-caches.js';
import type { Repositories } from './repositories.js';
import { isUuid } from './ids.js';

/** `write`, then (committed or not: evicting too much is harmless) what `stale` names is evicted. */
function evictingAfter<A extends unknown[], R>(
  readCaches: ReadCaches,
  write: (...args: A) => Promise<R>,
  stale: (args: A, result: R | undefined) => Invalidation,
): (...args: A) => Promise<R> {
  return async (...args: A) => {
    let result: R | undefined;
    try {
      result = await write(...args);
      return result;
    } finally {
      readCaches.apply(stale(args, result));
    }
  };
}

/**
 * The repositories with authentication's key read and identify's person read served from
 * `readCaches` (src/db/read-caches.ts), and with this process's own writes to those rows evicting
 * at once, before their transaction's NOTIFY comes back: the process that revoked a key, suspended
 * a tenant or renamed a person never serves the old row, not even for a millisecond.
 * Other processes (and raw SQL) are covered by the triggers' notifications alone.
 */
export function withReadCaches(repos: Repositories, readCaches: ReadCaches): Repositories {
  const after = <A extends unknown[], R>(write: (...args: A) => Promise<R>, stale: (args: A, result: R | undefined) => Invalidation) => evictingAfter(readCaches, write, stale);
  const tenant = (tenantId: string): Invalidation => ({ kind: 'tenant', tenantId });
  const person = (tenantId: string, id: string): Invalidation => ({ kind: 'people', tenantId, personIds: [id] });
  const { apiKeys, people, keyRotation, tenants, lifecycle, erasure } = repos;

  async function byPrefixForAuth(prefix: string): Promise<KeyForAuth | null> {
    const held = readCaches.keys.get(prefix);
    if (held) return held;
    const startedAt = readCaches.keys.readStarted();
    const key = await apiKeys.byPrefixForAuth(prefix);
    // An unknown prefix is not remembered: a key created later must work at once, and a flood of made-up prefixes must not fill the cache.
    if (key) readCaches.keys.store(startedAt, prefix, key);
    return key;
  }

  async function byIds(tenantId: string, ids: readonly string[]): Promise<PersonRecord[]> {
    const found: PersonRecord[] = [];
    const missing: string[] = [];
    for (const id of new Set(ids.filter(isUuid))) {
      const held = readCaches.people.get(personCacheKey(tenantId, id));
      if (held) found.push(held);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const startedAt = readCaches.people.readStarted();
    const loaded = await people.byIds(tenantId, missing);
    // The query is tenant-scoped; the check keeps isolation a property of this file too.
    for (const row of loaded) if (row.tenantId === tenantId) readCaches.people.store(startedAt, personCacheKey(tenantId, row.id), row);
    return [...found, ...loaded];
  }

  return {
    ...repos,
    apiKeys: {
      ...apiKeys,
      byPrefixForAuth,
      revoke: after(apiKeys.revoke, ([tenantId], result) => (result?.kind === 'revoked' ? { kind: 'keys', prefixes: [result.key.prefix] } : tenant(tenantId))),
      replaceSecretHash: after(apiKeys.replaceSecretHash, ([tenantId]) => tenant(tenantId)),
    },
    keyRotation: { ...keyRotation, rotate: after(keyRotation.rotate, ([tenantId]) => tenant(tenantId)) },
    tenants: { ...tenants, updateSettings: after(tenants.updateSettings, ([tenantId]) => tenant(tenantId)) },
    lifecycle: {
      ...lifecycle,
      transition: after(lifecycle.transition, ([tenantId]) => tenant(tenantId)),
      deleteBatch: after(lifecycle.deleteBatch, ([tenantId]) => tenant(tenantId)),
      finishDeletion: after(lifecycle.finishDeletion, ([tenantId]) => tenant(tenantId)),
    },
    people: {
      ...people,
      byIds,
      update: after(people.update, ([tenantId, id]) => person(tenantId, id)),
      delete: after(people.delete, ([tenantId, id]) => person(tenantId, id)),
    },
    erasure: { ...erasure, erasePerson: after(erasure.erasePerson, ([tenantId, id]) => person(tenantId, id)) },
  };
}
