import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pgFaceIndexSource } from '../../src/db/face-index-source.js';
import { IndexSync, TenantIndexes } from '../../src/gallery/index.js';
import { LISTEN_APPLICATION_NAME, listenSubscriber, pgFaceChangeFeed } from '../../src/db/index.js';
import { addPerson, createScratchDb, deleteFace, eventually, indexKey, insertFace, MODEL, query, seedTenant, unitVector, type ScratchDb } from '../support/scratch-db.js';

let db: ScratchDb;
before(async () => {
  db = await createScratchDb();
});
after(async () => {
  await db.drop();
});

/** One simulated server process: its own pool, registry, LISTEN connection and sync. */
async function startProcess(catchUpIntervalMs = 60_000): Promise<{ indexes: TenantIndexes; sync: IndexSync; stop(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(pool) });
  const listener = listenSubscriber(db.url, { firstMs: 50, maxMs: 500 });
  await listener.connect();
  const sync = new IndexSync(indexes, { feed: pgFaceChangeFeed(listener), catchUpIntervalMs });
  await sync.start();
  return {
    indexes,
    sync,
    async stop() {
      await sync.stop();
      await listener.close();
      await pool.end();
    },
  };
}

test('an index is built lazily from the searchable faces of its own tenant only', async () => {
  const a = await seedTenant(db.pool);
  const b = await seedTenant(db.pool);
  const sameVector = unitVector(3);
  const faceA = await insertFace(db.pool, { ...a, vector: sameVector });
  const faceB = await insertFace(db.pool, { ...b, vector: sameVector });
  await insertFace(db.pool, { ...a, vector: unitVector(4), searchable: false });
  await insertFace(db.pool, { ...a, vector: unitVector(3), model: 'other-model' });

  const indexes = new TenantIndexes({ source: pgFaceIndexSource(db.pool) });
  assert.equal(indexes.state(indexKey(a)), 'absent');
  const hitsA = await indexes.search(indexKey(a), query(3), 10);
  const hitsB = await indexes.search(indexKey(b), query(3), 10);
  assert.equal(indexes.state(indexKey(a)), 'ready');
  assert.deepEqual(hitsA.map((h) => [h.faceId, h.personId]), [[faceA, a.personId]]);
  assert.deepEqual(hitsB.map((h) => [h.faceId, h.personId]), [[faceB, b.personId]]);
  assert.ok(Math.abs(hitsA[0]!.distance) < 1e-6);
});

test('an empty tenant gets an empty ready index and no hits', async () => {
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(db.pool) });
  assert.deepEqual(await indexes.search({ tenantId: randomUUID(), galleryId: randomUUID(), model: MODEL }, query(0), 5), []);
});

test('an enrollment on one process reaches another process within a second, and so does its deletion', async () => {
  const t = await seedTenant(db.pool);
  await insertFace(db.pool, { ...t, vector: unitVector(0) });
  const processA = await startProcess();
  const processB = await startProcess();
  try {
    await processA.indexes.get(indexKey(t));
    await processB.indexes.get(indexKey(t));

    const newPerson = randomUUID();
    await addPerson(db.pool, t.tenantId, newPerson, t.galleryId);
    const faceId = await insertFace(db.pool, { ...t, personId: newPerson, vector: unitVector(5) });
    await processA.sync.changed(t.tenantId, MODEL); // the writer's own process applies before answering
    assert.equal((await processA.indexes.search(indexKey(t), query(5), 1))[0]?.faceId, faceId);
    await eventually(async () => {
      assert.equal((await processB.indexes.search(indexKey(t), query(5), 1))[0]?.personId, newPerson);
    }, 1000);

    await deleteFace(db.pool, t.tenantId, faceId);
    await eventually(async () => {
      const hits = await processB.indexes.search(indexKey(t), query(5), 10);
      assert.ok(hits.every((h) => h.faceId !== faceId));
    }, 1000);
  } finally {
    await processA.stop();
    await processB.stop();
  }
});

test('a change whose notification is lost is repaired by the periodic catch-up', async () => {
  const t = await seedTenant(db.pool);
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(db.pool) });
  const sync = new IndexSync(indexes, { feed: null, catchUpIntervalMs: 100 });
  await indexes.get(indexKey(t));
  await sync.start();
  try {
    const faceId = await insertFace(db.pool, { ...t, vector: unitVector(6) });
    await eventually(async () => {
      assert.equal((await indexes.search(indexKey(t), query(6), 1))[0]?.faceId, faceId);
    });
  } finally {
    await sync.stop();
  }
});

test('after the listening connection is killed, the feed reconnects and catches up what it missed', async () => {
  const t = await seedTenant(db.pool);
  const processB = await startProcess();
  try {
    await processB.indexes.get(indexKey(t));
    await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [LISTEN_APPLICATION_NAME],
    );
    const faceId = await insertFace(db.pool, { ...t, vector: unitVector(7) });
    await eventually(async () => {
      assert.equal((await processB.indexes.search(indexKey(t), query(7), 1))[0]?.faceId, faceId);
    });
    // And it listens again: a later change arrives by notification (the catch-up timer is 60 s).
    const second = await insertFace(db.pool, { ...t, vector: unitVector(2) });
    await eventually(async () => {
      assert.equal((await processB.indexes.search(indexKey(t), query(2), 1))[0]?.faceId, second);
    });
  } finally {
    await processB.stop();
  }
});

test('replaying the change log twice leaves one copy of each face', async () => {
  const t = await seedTenant(db.pool);
  const faceId = await insertFace(db.pool, { ...t, vector: unitVector(1) });
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(db.pool) });
  const index = await indexes.get(indexKey(t));
  index.appliedSeq = 0n; // as if the build had read the log position before the face was logged
  await indexes.refresh(indexKey(t));
  await indexes.refresh(indexKey(t));
  assert.deepEqual((await indexes.search(indexKey(t), query(1), 10)).map((h) => h.faceId), [faceId]);
});

test('a face added then deleted before the catch-up never appears', async () => {
  const t = await seedTenant(db.pool);
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(db.pool) });
  await indexes.get(indexKey(t));
  const faceId = await insertFace(db.pool, { ...t, vector: unitVector(4) });
  await deleteFace(db.pool, t.tenantId, faceId);
  await indexes.refresh(indexKey(t));
  assert.deepEqual(await indexes.search(indexKey(t), query(4), 10), []);
});

test(
  'a change that commits after a later-numbered one is still applied (writers serialise per tenant and model)',
  async () => {
    const t = await seedTenant(db.pool);
    const indexes = new TenantIndexes({ source: pgFaceIndexSource(db.pool) });
    await indexes.get(indexKey(t));
    const slow = await db.pool.connect();
    try {
      await slow.query('BEGIN');
      const { rows } = await slow.query<{ id: string }>(
        `INSERT INTO "Face" ("tenantId", "personId", "sessionId", model, embedding, searchable,
                             "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore")
         VALUES ($1, $2, $3, $4, $5::vector, true, 0, 0, 1, 1, 0.9) RETURNING id::text`,
        [t.tenantId, t.personId, t.sessionId, MODEL, `[${unitVector(0).join(',')}]`],
      );
      const { recordFaceChanges } = await import('../../src/db/face-changes.js');
      await recordFaceChanges(slow, t.tenantId, [{ id: rows[0]!.id, model: MODEL, galleryId: t.galleryId }], 'ADD'); // takes the lower seq
      const fast = insertFace(db.pool, { ...t, vector: unitVector(1) }); // higher seq; must wait for `slow`
      await new Promise((r) => setTimeout(r, 200));
      await indexes.refresh(indexKey(t));
      await slow.query('COMMIT');
      await fast;
      await indexes.refresh(indexKey(t));
      assert.equal((await indexes.get(indexKey(t))).size, 2);
    } finally {
      slow.release();
    }
  },
);

test('faces and changes are read in numeric id and seq order across pages (ids 9 → 10 → 100 …)', async () => {
  const t = await seedTenant(db.pool);
  const source = pgFaceIndexSource(db.pool);
  const seqBefore = await source.maxChangeSeq(indexKey(t));
  const ids: string[] = [];
  for (let i = 0; i < 23; i++) ids.push(await insertFace(db.pool, { ...t, vector: unitVector(i) }));

  const streamed: string[] = [];
  for await (const batch of source.streamSearchable(indexKey(t), 4)) streamed.push(...batch.faceIds);
  assert.deepEqual(streamed, ids);

  const changed: string[] = [];
  let after = seqBefore;
  for (;;) {
    const page = await source.changesSince(indexKey(t), after, 4);
    if (page.length === 0) break;
    changed.push(...page.map((c) => c.faceId));
    after = page[page.length - 1]!.seq;
  }
  assert.deepEqual(changed, ids);
});
