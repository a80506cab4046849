import type { KeyForAuth } from './api-key-repository.js';
import type { PersonRecord } from './person-repository.js';
import { ReadCache, type ReadCacheOptions } from './read-cache.js';

/** What a notification (or a write in this process) says is stale; the payloads of the read-cache migration. */
export type Invalidation =
  | { kind: 'keys'; prefixes: string[] }
  | { kind: 'people'; tenantId: string; personIds: string[] }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'all' };

/**
 * The two cached reads: API keys for authentication by prefix (before the tenant is known), and
 * people by tenant AND id, so one tenant's entry can never answer another tenant's read.
 */
export interface ReadCaches {
  keys: ReadCache<KeyForAuth>;
  people: ReadCache<PersonRecord>;
  apply(invalidation: Invalidation): void;
  setLive(live: boolean): void;
}

export const personCacheKey = (tenantId: string, personId: string): string => `${tenantId}/${personId}`;

export function createReadCaches(options: ReadCacheOptions): ReadCaches {
  const keys = new ReadCache<KeyForAuth>(options);
  const people = new ReadCache<PersonRecord>(options);
  return {
    keys,
    people,
    apply(invalidation) {
      switch (invalidation.kind) {
        case 'keys':
          for (const prefix of invalidation.prefixes) keys.evict(prefix);
          return;
        case 'people':
          for (const id of invalidation.personIds) people.evict(personCacheKey(invalidation.tenantId, id));
          return;
        case 'tenant': {
          const { tenantId } = invalidation;
          keys.evictWhere((_, key) => key.tenantId === tenantId);
          people.evictWhere((_, person) => person.tenantId === tenantId);
          return;
        }
        case 'all':
          keys.flush();
          people.flush();
      }
    },
    setLive(live) {
      keys.setLive(live);
      people.setLive(live);
    },
  };
}
