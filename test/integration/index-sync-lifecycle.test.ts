import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pgFaceIndexSource, type FaceIndexSource } from '../../src/db/face-index-source.js';
import { DEFAULT_TENANT_INDEX_OPTIONS, TenantIndexes, type IndexEvent } from '../../src/gallery/index.js';
import { AppError } from '../../src/errors.js';
import { createScratchDb, deleteFace, eventually, indexKey, insertFace, MODEL, query, seedTenant, unitVector, type ScratchDb } from '../support/scratch-db.js';

let db: ScratchDb;
before(async () => {
  db = await createScratchDb();
});
after(async () => {
  await db.drop();
});

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** The real database source, whose face stream waits until the test opens the gate. */
function gatedSource(): { source: FaceIndexSource; slow: ReturnType<typeof gate> } {
  const real = pgFaceIndexSource(db.pool);
  const slow = gate();
  const source: FaceIndexSource = {
    ...real,
    async *streamSearchable(key, batchSize) {
      await slow.wait;
      yield* real.streamSearchable(key, batchSize);
    },
  };
  return { source, slow };
}

const isUnavailable = (err: unknown): boolean => err instanceof AppError && err.code === 'INDEX_UNAVAILABLE';

test('a request during a slow load fails with INDEX_UNAVAILABLE after the bounded wait; the load still completes', async () => {
  const t = await seedTenant(db.pool);
  const faceId = await insertFace(db.pool, { ...t, vector: unitVector(1) });
  const { source, slow } = gatedSource();
  const indexes = new TenantIndexes({ source, loadWaitMs: 100 });
  await assert.rejects(indexes.search(indexKey(t), query(1), 1), (err) => isUnavailable(err) && /still loading/.test((err as Error).message));
  assert.equal(indexes.state(indexKey(t)), 'loading');
  slow.open();
  await eventually(() => assert.equal(indexes.state(indexKey(t)), 'ready'));
  assert.equal((await indexes.search(indexKey(t), query(1), 1))[0]?.faceId, faceId);
});

test('a failed load answers INDEX_UNAVAILABLE, fails fast for a while, then is retried', async () => {
  const t = await seedTenant(db.pool);
  await insertFace(db.pool, { ...t, vector: unitVector(2) });
  const real = pgFaceIndexSource(db.pool);
  let broken = true;
  const source: FaceIndexSource = {
    ...real,
    countSearchable: async (key) => {
      if (broken) throw new Error('connection refused');
      return real.countSearchable(key);
    },
  };
  const events: IndexEvent['type'][] = [];
  const indexes = new TenantIndexes({ source, retryFailedAfterMs: 200, onEvent: (e) => events.push(e.type) });
  await assert.rejects(indexes.get(indexKey(t)), isUnavailable);
  assert.equal(indexes.state(indexKey(t)), 'failed');
  broken = false;
  await assert.rejects(indexes.get(indexKey(t)), isUnavailable); // still inside the back-off
  await new Promise((r) => setTimeout(r, 220));
  assert.equal((await indexes.search(indexKey(t), query(2), 1)).length, 1);
  assert.deepEqual(events, ['load-failed', 'loaded']);
});

test('a deletion committed while the faces stream in is not lost', async () => {
  const t = await seedTenant(db.pool);
  const early = await insertFace(db.pool, { ...t, vector: unitVector(0) });
  const kept = await insertFace(db.pool, { ...t, vector: unitVector(1) });
  const real = pgFaceIndexSource(db.pool);
  const source: FaceIndexSource = {
    ...real,
    async *streamSearchable(key) {
      for await (const batch of real.streamSearchable(key, 1)) {
        yield batch;
        // Another process deletes a face this build has already read.
        if (batch.faceIds.includes(early)) await deleteFace(db.pool, key.tenantId, early);
      }
    },
  };
  const indexes = new TenantIndexes({ source });
  const hits = await indexes.search(indexKey(t), query(0), 10);
  assert.deepEqual(hits.map((h) => h.faceId), [kept]);
});

test('the least recently used index is evicted past the memory budget and reloads on demand', async () => {
  const a = await seedTenant(db.pool);
  const b = await seedTenant(db.pool);
  await insertFace(db.pool, { ...a, vector: unitVector(3) });
  await insertFace(db.pool, { ...b, vector: unitVector(3) });
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(db.pool), memoryBudgetBytes: 1 });
  await indexes.get(indexKey(a));
  await indexes.get(indexKey(b));
  assert.equal(indexes.state(indexKey(a)), 'absent');
  assert.equal(indexes.state(indexKey(b)), 'ready');
  assert.equal((await indexes.search(indexKey(a), query(3), 1))[0]?.personId, a.personId);
});

test('a flat index that grows past the HNSW size is rebuilt as HNSW while it keeps serving, losing no change', async () => {
  const t = await seedTenant(db.pool);
  for (const i of [0, 1]) await insertFace(db.pool, { ...t, vector: unitVector(i) });
  const indexes = new TenantIndexes({
    source: pgFaceIndexSource(db.pool),
    index: { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: 2 },
  });
  assert.equal((await indexes.get(indexKey(t))).kind, 'flat');
  const third = await insertFace(db.pool, { ...t, vector: unitVector(2) });
  await indexes.refresh(indexKey(t));
  assert.equal(indexes.state(indexKey(t)), 'rebuilding');
  assert.equal((await indexes.search(indexKey(t), query(2), 1))[0]?.faceId, third);
  await deleteFace(db.pool, t.tenantId, third);
  await indexes.refresh(indexKey(t));
  // The HNSW build runs in a child process: its start-up alone can take seconds on a loaded machine.
  await eventually(() => assert.equal(indexes.state(indexKey(t)), 'ready'), 60_000);
  const index = await indexes.get(indexKey(t));
  assert.ok(index.search(query(2), 10).every((h) => h.faceId !== third));
  assert.equal(index.size, 2);
});

test('dropping a tenant forgets its indexes and no other tenant’s', async () => {
  const a = await seedTenant(db.pool);
  const b = await seedTenant(db.pool);
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(db.pool) });
  await indexes.get(indexKey(a));
  await indexes.get(indexKey(b));
  indexes.drop(a.tenantId);
  assert.equal(indexes.state(indexKey(a)), 'absent');
  assert.equal(indexes.state(indexKey(b)), 'ready');
});

test('an index dropped while it loads does not come back when the load finishes', async () => {
  const t = await seedTenant(db.pool);
  await insertFace(db.pool, { ...t, vector: unitVector(5) });
  const { source, slow } = gatedSource();
  const indexes = new TenantIndexes({ source, loadWaitMs: 5_000 });
  const pending = indexes.get(indexKey(t));
  assert.equal(indexes.state(indexKey(t)), 'loading');
  indexes.drop(t.tenantId);
  slow.open();
  await pending; // the waiter still gets the index it asked for
  assert.equal(indexes.state(indexKey(t)), 'absent');
});
