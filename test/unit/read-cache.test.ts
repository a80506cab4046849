import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadCache } from '../../src/db/read-cache.js';
import { createReadCaches, personCacheKey } from '../../src/db/read-caches.js';
import { parseReadCachePayload } from '../../src/db/read-cache-feed.js';
import type { KeyForAuth } from '../../src/db/api-key-repository.js';
import type { PersonRecord } from '../../src/db/person-repository.js';

const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const P1 = '33333333-3333-4333-8333-333333333333';

function live<V extends object>(ttlMs = 60_000): ReadCache<V> {
  const cache = new ReadCache<V>({ maxEntries: 10, ttlMs });
  cache.setLive(true);
  return cache;
}

describe('ReadCache', () => {
  it('serves nothing and stores nothing until live, and flushes when it goes live or stops being live', () => {
    const cache = new ReadCache<{ n: number }>({ maxEntries: 10, ttlMs: 60_000 });
    cache.store(cache.readStarted(), 'a', { n: 1 });
    assert.equal(cache.get('a'), undefined);
    cache.setLive(true);
    cache.store(cache.readStarted(), 'a', { n: 1 });
    assert.deepEqual(cache.get('a'), { n: 1 });
    cache.setLive(false);
    assert.equal(cache.get('a'), undefined);
    cache.setLive(true);
    assert.equal(cache.get('a'), undefined, 'what was held before the disconnect is gone');
  });

  it('does not store a read that started before an eviction, or before the listener was lost', () => {
    const cache = live<{ n: number }>();
    const started = cache.readStarted();
    cache.evict('other');
    cache.store(started, 'a', { n: 1 });
    assert.equal(cache.get('a'), undefined);
    const again = cache.readStarted();
    cache.setLive(false);
    cache.setLive(true);
    cache.store(again, 'a', { n: 1 });
    assert.equal(cache.get('a'), undefined);
  });

  it('hands out copies: a caller mutating its value does not change the entry', () => {
    const cache = live<{ settings: { k: number } }>();
    const value = { settings: { k: 1 } };
    cache.store(cache.readStarted(), 'a', value);
    value.settings.k = 2;
    cache.get('a')!.settings.k = 3;
    assert.equal(cache.get('a')!.settings.k, 1);
  });

  it('is bounded in entries and expires entries after the TTL', async () => {
    const cache = live<{ n: number }>(30);
    for (let n = 0; n < 15; n++) cache.store(cache.readStarted(), `k${n}`, { n });
    assert.equal(cache.size, 10);
    assert.equal(cache.get('k0'), undefined);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(cache.get('k14'), undefined);
  });
});

describe('ReadCaches', () => {
  const key = (prefix: string, tenantId: string) => ({ id: prefix, tenantId, prefix }) as unknown as KeyForAuth;
  const person = (tenantId: string, id: string) => ({ id, tenantId, displayName: 'x' }) as unknown as PersonRecord;

  it('evicts keys by prefix, people by tenant and id, and everything of a tenant', () => {
    const caches = createReadCaches({ maxEntries: 10, ttlMs: 60_000 });
    caches.setLive(true);
    const fill = () => {
      caches.keys.store(caches.keys.readStarted(), 'k1', key('k1', T1));
      caches.keys.store(caches.keys.readStarted(), 'k2', key('k2', T2));
      caches.people.store(caches.people.readStarted(), personCacheKey(T1, P1), person(T1, P1));
      caches.people.store(caches.people.readStarted(), personCacheKey(T2, P1), person(T2, P1));
    };
    fill();
    caches.apply({ kind: 'keys', prefixes: ['k1'] });
    assert.deepEqual([caches.keys.get('k1'), caches.keys.get('k2')?.prefix], [undefined, 'k2']);
    caches.apply({ kind: 'people', tenantId: T1, personIds: [P1] });
    assert.equal(caches.people.get(personCacheKey(T1, P1)), undefined);
    assert.equal(caches.people.get(personCacheKey(T2, P1))?.tenantId, T2, "the same id in another tenant is another entry");
    fill();
    caches.apply({ kind: 'tenant', tenantId: T2 });
    assert.equal(caches.keys.get('k2'), undefined);
    assert.equal(caches.people.get(personCacheKey(T2, P1)), undefined);
    assert.equal(caches.keys.get('k1')?.tenantId, T1);
    caches.apply({ kind: 'all' });
    assert.equal(caches.keys.size + caches.people.size, 0);
  });
});

describe('parseReadCachePayload', () => {
  it('reads the triggers’ payloads and treats anything else as "evict everything"', () => {
    const parse = (payload: unknown) => parseReadCachePayload(JSON.stringify(payload));
    assert.deepEqual(parse({ k: ['abc'] }), { kind: 'keys', prefixes: ['abc'] });
    assert.deepEqual(parse({ t: T1 }), { kind: 'tenant', tenantId: T1 });
    assert.deepEqual(parse({ t: T1, p: [P1] }), { kind: 'people', tenantId: T1, personIds: [P1] });
    assert.deepEqual(parse({ all: true }), { kind: 'all' });
    for (const odd of [null, 'x', {}, { t: 'not-a-uuid' }, { k: [1] }, { t: T1, p: 'x' }]) assert.deepEqual(parse(odd), { kind: 'all' });
    for (const unreadable of ['', '{', 'a:b:c:1']) assert.deepEqual(parseReadCachePayload(unreadable), { kind: 'all' });
  });
});
