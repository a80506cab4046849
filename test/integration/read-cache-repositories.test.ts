import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createReadCaches, createRepositories, LISTEN_APPLICATION_NAME, listenSubscriber, openDatabase, pgReadCacheFeed, withReadCaches, type Database, type ListenSubscriber, type ReadCacheFeed, type ReadCaches, type Repositories } from '../../src/db/index.js';
import { personCacheKey } from '../../src/db/read-caches.js';
import { adminQuery, createServerDatabase } from '../support/test-database.js';

/**
 * The cached repositories on a real PostgreSQL with the real triggers and listener (no server):
 * tenant isolation of the person cache, the listener's loss and return, and the lastUsedAt touch.
 */
let server: { url: string; drop(): Promise<void> };
let db: Database;
let caches: ReadCaches;
let listener: ListenSubscriber;
let feed: ReadCacheFeed;
let repos: Repositories;

before(async () => {
  server = await createServerDatabase();
  db = await openDatabase({ url: server.url, dataDir: '/nonexistent', poolMax: 3 });
  caches = createReadCaches({ maxEntries: 100, ttlMs: 60_000 });
  listener = listenSubscriber(server.url);
  await listener.connect();
  feed = pgReadCacheFeed(listener, { onInvalidate: (i) => caches.apply(i), onLive: (l) => caches.setLive(l), onError: () => undefined });
  await feed.start();
  repos = withReadCaches(createRepositories(db), caches);
});
after(async () => {
  await feed?.stop();
  await listener?.close();
  await db?.close();
  await server?.drop();
});

async function tenant(): Promise<string> {
  const id = randomUUID();
  await db.pool.query(`INSERT INTO "Tenant" (id, name, slug, "updatedAt") VALUES ($1, $2, $2, now())`, [id, `t-${id}`]);
  return id;
}
async function person(tenantId: string, id = randomUUID()): Promise<string> {
  await db.pool.query(`INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") VALUES ($1, $2, $3, now())`, [id, tenantId, `name of ${tenantId}`]);
  return id;
}
async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe('cached repositories', () => {
  it('never answers one tenant with another tenant’s cached person', async () => {
    const [a, b] = [await tenant(), await tenant()];
    const id = await person(a);
    assert.equal((await repos.people.byIds(a, [id]))[0]?.tenantId, a);
    assert.ok(caches.people.get(personCacheKey(a, id)), 'cached for tenant A');
    assert.deepEqual(await repos.people.byIds(b, [id]), [], 'tenant B does not see A’s person, cached or not');
    assert.deepEqual(await repos.people.byIds(b, [id]), []);
    assert.equal((await repos.people.byIds(a, [id]))[0]?.tenantId, a);
  });

  it('reads through while the listener is disconnected and flushes what it held when it is back', async () => {
    const t = await tenant();
    const id = await person(t);
    await repos.people.byIds(t, [id]);
    assert.ok(caches.people.get(personCacheKey(t, id)));
    // The listener must stay away while the change is made and read (it reconnects within
    // milliseconds otherwise): the database refuses new connections until then; the pools keep theirs.
    const name = new URL(server.url).pathname.slice(1);
    await adminQuery(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    try {
      await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [LISTEN_APPLICATION_NAME]);
      assert.ok(await until(() => !caches.people.isLive()), 'the lost listener turns the cache off');
      // Notified to nobody: the listener is gone.
      await db.pool.query(`UPDATE "Person" SET "displayName" = 'changed while away' WHERE id = $1`, [id]);
      assert.equal((await repos.people.byIds(t, [id]))[0]?.displayName, 'changed while away');
      assert.equal(caches.people.size, 0, 'nothing is stored while disconnected');
      assert.equal(caches.people.isLive(), false, 'the listener was still away for that read');
    } finally {
      await adminQuery(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
    assert.ok(await until(() => caches.people.isLive(), 10_000), 'the listener reconnects');
    assert.equal((await repos.people.byIds(t, [id]))[0]?.displayName, 'changed while away');
  });

  it('keeps a key across a lastUsedAt touch and evicts it on any other change', async () => {
    const t = await tenant();
    const keyId = randomUUID();
    const prefix = `p${keyId.slice(0, 8)}`;
    await db.pool.query(`INSERT INTO "ApiKey" (id, "tenantId", name, role, prefix, "secretHash") VALUES ($1, $2, 'k', 'CLIENT', $3, 'h')`, [keyId, t, prefix]);
    assert.equal((await repos.apiKeys.byPrefixForAuth(prefix))?.id, keyId);
    await repos.apiKeys.touch(t, keyId, new Date());
    // A notice, were there one, would come on the same connection order as this marker.
    await db.pool.query(`UPDATE "Person" SET "displayName" = "displayName" WHERE "tenantId" = $1`, [t]);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(caches.keys.get(prefix), 'a touch does not evict');
    await db.pool.query(`UPDATE "ApiKey" SET "expiresAt" = now() WHERE id = $1`, [keyId]);
    assert.ok(await until(() => caches.keys.get(prefix) === undefined, 2000), 'an expiry set by raw SQL evicts');
    assert.ok((await repos.apiKeys.byPrefixForAuth(prefix))?.expiresAt);
    await db.pool.query(`UPDATE "Tenant" SET settings = '{"threshold": 0.5}' WHERE id = $1`, [t]);
    assert.ok(await until(() => caches.keys.get(prefix) === undefined, 2000), 'a tenant settings change evicts its keys');
    assert.deepEqual((await repos.apiKeys.byPrefixForAuth(prefix))?.tenant.settings, { threshold: 0.5 });
  });
});
