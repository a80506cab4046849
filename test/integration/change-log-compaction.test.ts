import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pgFaceIndexSource, type FaceIndexSource } from '../../src/db/face-index-source.js';
import { changeLogRepository } from '../../src/db/change-log-repository.js';
import { TenantIndexes, type IndexEvent } from '../../src/gallery/index.js';
import { startReplicaHeartbeat, type ReplicaHeartbeat } from '../../src/gallery/replica-heartbeat.js';
import { compactChangeLog } from '../../src/lifecycle/change-log-compaction.js';
import { createScratchDb, deleteFace, eventually, indexKey, insertFace, MODEL, query, seedTenant, unitVector, type ScratchDb } from '../support/scratch-db.js';

/**
 * Compaction of the face change log with two replicas (two sets of in-memory indexes, each with
 * its own heartbeat) on one real PostgreSQL: rows go once every live replica has applied them or
 * when they pass the age bound, and a replica left behind the compacted point reloads.
 */
let db: ScratchDb;
const heartbeats: ReplicaHeartbeat[] = [];
before(async () => {
  db = await createScratchDb();
});
after(async () => {
  for (const h of heartbeats) await h.stop();
  await db.drop();
});

const LIVE_MS = 60_000;
const HOUR = 3_600_000;

interface Replica {
  indexes: TenantIndexes;
  heartbeat: ReplicaHeartbeat;
  events: IndexEvent[];
}

function replica(source: FaceIndexSource = pgFaceIndexSource(db.pool)): Replica {
  const events: IndexEvent[] = [];
  const indexes = new TenantIndexes({ source, onEvent: (e) => events.push(e) });
  // Beats only when the test says so (beat()); the timer is far away.
  const heartbeat = startReplicaHeartbeat(indexes, changeLogRepository(db.pool), { intervalMs: HOUR, onError: (e) => assert.fail(String(e)) });
  heartbeats.push(heartbeat);
  return { indexes, heartbeat, events };
}

const compact = (options: { now?: Date; maxAgeMs?: number } = {}) =>
  compactChangeLog(changeLogRepository(db.pool), options.now ?? new Date(), { liveMs: LIVE_MS, maxAgeMs: options.maxAgeMs ?? HOUR, batchSize: 1 });

async function logged(tenantId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ faceId: string }>(`SELECT "faceId"::text AS "faceId" FROM "FaceChange" WHERE "tenantId" = $1 ORDER BY seq`, [tenantId]);
  return rows.map((r) => r.faceId);
}

async function found(r: Replica, t: { tenantId: string; galleryId: string }, i: number): Promise<string | undefined> {
  return (await r.indexes.search(indexKey(t), query(i), 1)).find((h) => h.distance < 1e-4)?.faceId;
}

const rebuilds = (r: Replica) => r.events.filter((e) => e.type === 'rebuilt');

test('keeps what a live replica has not applied, and lets it go once that replica catches up', async () => {
  const t = await seedTenant(db.pool);
  const f1 = await insertFace(db.pool, { ...t, vector: unitVector(1) });
  const a = replica();
  const b = replica();
  for (const r of [a, b]) await r.indexes.get(indexKey(t));
  const f2 = await insertFace(db.pool, { ...t, vector: unitVector(2) });
  await a.indexes.refresh(indexKey(t)); // B has not seen f2 yet
  for (const r of [a, b]) await r.heartbeat.beat();

  await compact();
  assert.deepEqual(await logged(t.tenantId), [f2], 'f1’s change is applied everywhere; f2’s is still needed by B');

  await b.indexes.refresh(indexKey(t));
  assert.equal(await found(b, t, 2), f2, 'B caught up from the log');
  await b.heartbeat.beat();
  await compact();
  assert.deepEqual(await logged(t.tenantId), []);

  const f3 = await insertFace(db.pool, { ...t, vector: unitVector(3) });
  for (const r of [a, b]) {
    await r.indexes.refreshAll();
    assert.deepEqual([await found(r, t, 1), await found(r, t, 3)], [f1, f3]);
    assert.deepEqual(rebuilds(r), [], 'a replica that was never behind the compacted point just catches up');
  }
  const fresh = replica();
  assert.equal(await found(fresh, t, 3), f3, 'a new replica loads at the compacted position');
  assert.equal((await fresh.indexes.get(indexKey(t))).appliedSeq, (await a.indexes.get(indexKey(t))).appliedSeq);
});

for (const cause of ['its heartbeat stopped (killed)', 'the rows passed the age bound'] as const) {
  test(`a replica behind the compacted point reloads the index instead of catching up: ${cause}`, async () => {
    const t = await seedTenant(db.pool);
    const f1 = await insertFace(db.pool, { ...t, vector: unitVector(1) });
    const a = replica();
    const b = replica();
    for (const r of [a, b]) await r.indexes.get(indexKey(t));
    for (const r of [a, b]) await r.heartbeat.beat();

    await deleteFace(db.pool, t.tenantId, f1);
    const f2 = await insertFace(db.pool, { ...t, vector: unitVector(2) });
    await a.indexes.refresh(indexKey(t));
    await a.heartbeat.beat();
    if (cause === 'its heartbeat stopped (killed)') {
      await db.pool.query(`UPDATE "IndexReplica" SET "seenAt" = now() - interval '2 minutes' WHERE id = $1`, [b.heartbeat.replicaId]);
      await compact();
    } else {
      await compact({ maxAgeMs: 0, now: new Date(Date.now() + 1000) });
    }
    assert.deepEqual(await logged(t.tenantId), [], 'B’s missing changes are gone from the log');

    await b.indexes.refreshAll();
    await eventually(() => assert.equal(rebuilds(b).length, 1));
    assert.deepEqual(rebuilds(b).map((e) => e.type === 'rebuilt' && e.reason), ['missed-changes']);
    assert.equal(await found(b, t, 1), undefined, 'the face deleted while B was behind is gone');
    assert.equal(await found(b, t, 2), f2);
    assert.deepEqual(rebuilds(a), [], 'A had applied everything and did not reload');
  });
}

test('an index still loading holds the log from where its load started', async () => {
  const t = await seedTenant(db.pool);
  const f1 = await insertFace(db.pool, { ...t, vector: unitVector(1) });
  const real = pgFaceIndexSource(db.pool);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const b = replica({
    ...real,
    async *streamSearchable(key, batchSize) {
      await gate;
      yield* real.streamSearchable(key, batchSize);
    },
  });
  const loading = b.indexes.get(indexKey(t));
  await eventually(() => assert.ok(b.indexes.positions().some((p) => p.key.tenantId === t.tenantId && p.seq > 0n)));
  const f2 = await insertFace(db.pool, { ...t, vector: unitVector(2) });
  await b.heartbeat.beat();
  await compact();
  assert.deepEqual(await logged(t.tenantId), [f2], 'the change after the load started is kept for its catch-up');
  open();
  await loading;
  assert.deepEqual([await found(b, t, 1), await found(b, t, 2)], [f1, f2]);
  assert.deepEqual(rebuilds(b), []);
});
