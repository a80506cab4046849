import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pgFaceIndexSource } from '../../src/db/face-index-source.js';
import { IndexSync, TenantIndexes } from '../../src/gallery/index.js';
import { LISTEN_APPLICATION_NAME, listenSubscriber, pgFaceChangeFeed } from '../../src/db/index.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';
import { TEST_EMBEDDED } from '../support/test-database.js';
import { addPerson, eventually, indexKey, insertFace, MODEL, query, seedTenant, unitVector } from '../support/scratch-db.js';

/**
 * Replica sync across a PostgreSQL restart (a cluster of the test's own, so it may be stopped):
 * the hot index keeps answering while the database is down, and a change committed after it is
 * back reaches the other process through the reconnected LISTEN, not the periodic catch-up.
 */
const skip = TEST_EMBEDDED && 'needs a PostgreSQL server it can stop';
let cluster: OwnPostgres;
const pools: pg.Pool[] = [];

function pool(): pg.Pool {
  const p = new pg.Pool({ connectionString: cluster.url, max: 2, connectionTimeoutMillis: 2000 });
  // The restart terminates idle connections; the next query opens a new one.
  p.on('error', () => undefined);
  pools.push(p);
  return p;
}

before(async () => {
  if (!skip) cluster = await startOwnPostgres();
});
after(async () => {
  for (const p of pools) await p.end().catch(() => undefined);
  await cluster?.remove();
});

test('the hot index answers through a stop; after the restart a new face reaches the other process by notification', { skip }, async () => {
  const writer = pool();
  const t = await seedTenant(writer);
  await insertFace(writer, { ...t, vector: unitVector(0) });
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(pool()) });
  const listener = listenSubscriber(cluster.url, { firstMs: 50, maxMs: 500 });
  let reconnecting = 0;
  listener.events.on('reconnect', () => reconnecting++);
  await listener.connect();
  const sync = new IndexSync(indexes, { feed: pgFaceChangeFeed(listener), catchUpIntervalMs: 600_000 });
  await sync.start();
  try {
    await indexes.get(indexKey(t));
    await cluster.stop();
    await sleep(2000);
    assert.equal((await indexes.search(indexKey(t), query(0), 1)).length, 1, 'the in-memory index answers while the database is down');
    assert.ok(reconnecting > 0, 'the listener noticed the lost connection');
    await cluster.start();

    const person = randomUUID();
    // Give the feed time to reconnect (its backoff is capped at 500 ms here) before the change.
    await eventually(async () => {
      const client = new pg.Client({ connectionString: cluster.url });
      await client.connect();
      try {
        const listening = await client.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`, [LISTEN_APPLICATION_NAME]);
        assert.ok((listening.rowCount ?? 0) > 0);
      } finally {
        await client.end();
      }
    }, 10_000);
    await addPerson(writer, t.tenantId, person, t.galleryId);
    const faceId = await insertFace(writer, { ...t, personId: person, vector: unitVector(4) });
    await eventually(async () => {
      assert.equal((await indexes.search(indexKey(t), query(4), 1))[0]?.faceId, faceId);
    }, 5000);
  } finally {
    await sync.stop();
    await listener.close();
  }
});
