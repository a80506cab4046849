import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pgFaceIndexSource } from '../../src/db/face-index-source.js';
import { indexSnapshotRepository } from '../../src/db/index-snapshot-repository.js';
import { DEFAULT_TENANT_INDEX_OPTIONS, TenantIndexes, directorySnapshotStore, postgresSnapshotStore, type SnapshotStore } from '../../src/gallery/index.js';
import type { IndexEvent } from '../../src/gallery/index.js';
import { runTenantDeletion } from '../../src/lifecycle/tenant-deletion.js';
import { tenantLifecycleRepository } from '../../src/db/tenant-lifecycle-repository.js';
import { createScratchDb, deleteFace, eventually, indexKey, insertFace, MODEL, query, seedTenant, unitVector, type ScratchDb } from '../support/scratch-db.js';

let db: ScratchDb;
let dir: string;
before(async () => {
  db = await createScratchDb();
  dir = await mkdtemp(path.join(tmpdir(), 'visage-snapshots-'));
});
after(async () => {
  await db.drop();
  await rm(dir, { recursive: true, force: true });
});

/** One server process's indexes over a store; events recorded, snapshots of any size. */
function processWith(store: SnapshotStore, hnswAbove = 1000) {
  const events: IndexEvent[] = [];
  const indexes = new TenantIndexes({
    source: pgFaceIndexSource(db.pool),
    index: { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove, hnsw: { ...DEFAULT_TENANT_INDEX_OPTIONS.hnsw, efSearch: 64 } },
    snapshots: { store, minFaces: 1, everyChanges: 3 },
    onEvent: (e) => events.push(e),
  });
  const of = <T extends IndexEvent['type']>(type: T) => events.filter((e): e is Extract<IndexEvent, { type: T }> => e.type === type);
  return { indexes, events, of };
}

async function tenantWithFaces(n: number) {
  const t = await seedTenant(db.pool);
  const faces: string[] = [];
  for (let i = 0; i < n; i++) faces.push(await insertFace(db.pool, { ...t, vector: unitVector(i) }));
  return { ...t, faces };
}

const stores: [string, () => SnapshotStore][] = [
  ['directory', () => directorySnapshotStore(dir)],
  ['postgres', () => postgresSnapshotStore(indexSnapshotRepository(db.pool))],
];

for (const [name, makeStore] of stores) {
  describe(`${name} snapshot store`, () => {
    test('a second process loads the snapshot the first wrote, then applies the changes made after it', async () => {
      const t = await tenantWithFaces(4);
      const first = processWith(makeStore());
      await first.indexes.get(indexKey(t));
      await eventually(() => assert.equal(first.of('snapshot-written').length, 1));
      assert.equal(first.of('loaded')[0]!.from, 'database');

      // After the snapshot: one face added, one removed.
      const added = await insertFace(db.pool, { ...t, vector: unitVector(5) });
      await deleteFace(db.pool, t.tenantId, t.faces[0]!);

      const second = processWith(makeStore());
      const index = await second.indexes.get(indexKey(t));
      assert.deepEqual(second.of('loaded').map((e) => e.from), ['snapshot']);
      assert.equal(second.of('snapshot-rejected').length, 0);
      assert.equal(index.size, 4);
      assert.deepEqual((await second.indexes.search(indexKey(t), query(5), 1)).map((h) => h.faceId), [added]);
      assert.notEqual((await second.indexes.search(indexKey(t), query(0), 1))[0]?.faceId, t.faces[0]);
      assert.equal(second.of('snapshot-written').length, 0, 'a snapshot just loaded is not written again');
    });

    test('a corrupted snapshot is refused, reported, and the index is rebuilt with the right answers', async () => {
      const t = await tenantWithFaces(3);
      const store = makeStore();
      const first = processWith(store);
      await first.indexes.get(indexKey(t));
      await eventually(() => assert.equal(first.of('snapshot-written').length, 1));
      await corruptLatest(store, t);

      const second = processWith(makeStore());
      await second.indexes.get(indexKey(t));
      assert.deepEqual(second.of('snapshot-rejected').map((e) => e.problem), ['checksum']);
      assert.deepEqual(second.of('loaded').map((e) => e.from), ['database']);
      for (let i = 0; i < 3; i++) assert.deepEqual((await second.indexes.search(indexKey(t), query(i), 1)).map((h) => h.faceId), [t.faces[i]]);
      await eventually(() => assert.equal(second.of('snapshot-written').length, 1, 'the rebuild writes a good snapshot'));
    });

    test('an HNSW tenant serves flat search while its HNSW builds, and restarts from the HNSW snapshot', async () => {
      const t = await tenantWithFaces(6);
      const first = processWith(makeStore(), 4);
      const flat = await first.indexes.get(indexKey(t));
      assert.equal(flat.kind, 'flat', 'the first load serves exact search at once');
      await eventually(() => assert.equal(first.of('rebuilt').length, 1), 60_000);
      assert.equal((await first.indexes.get(indexKey(t))).kind, 'hnsw');
      await eventually(() => assert.equal(first.of('snapshot-written').length, 1));

      const second = processWith(makeStore(), 4);
      const index = await second.indexes.get(indexKey(t));
      assert.equal(index.kind, 'hnsw');
      assert.deepEqual(second.of('loaded').map((e) => [e.from, e.kind]), [['snapshot', 'hnsw']]);
      assert.equal(second.of('rebuilt').length, 0);
      assert.deepEqual((await second.indexes.search(indexKey(t), query(2), 1)).map((h) => h.faceId), [t.faces[2]]);
    });

    test('enough changes after a load write a new snapshot; removing the tenant removes its snapshots', async () => {
      const t = await tenantWithFaces(2);
      const store = makeStore();
      const proc = processWith(store);
      await proc.indexes.get(indexKey(t));
      await eventually(() => assert.equal(proc.of('snapshot-written').length, 1));
      for (let i = 0; i < 3; i++) await insertFace(db.pool, { ...t, vector: unitVector(i) });
      await proc.indexes.refresh(indexKey(t));
      await eventually(() => assert.equal(proc.of('snapshot-written').length, 2));
      const latest = await store.latest(indexKey(t));
      assert.equal(proc.of('snapshot-written')[1]!.faces, 5);
      assert.equal(latest?.seq, proc.of('snapshot-written')[1]!.seq);

      const other = await tenantWithFaces(1);
      await processWith(store).indexes.get(indexKey(other));
      await eventually(async () => assert.ok(await store.latest(indexKey(other))));
      await store.removeTenant(t.tenantId);
      assert.equal(await store.latest(indexKey(t)), null);
      assert.ok(await store.latest(indexKey(other)), "another tenant's snapshot stays");
    });

    test("a tenant deletion removes the tenant's snapshots with its rows", async () => {
      const t = await tenantWithFaces(2);
      const store = makeStore();
      const proc = processWith(store);
      await proc.indexes.get(indexKey(t));
      await eventually(() => assert.equal(proc.of('snapshot-written').length, 1));
      await db.pool.query(`UPDATE "Tenant" SET status = 'DELETING' WHERE id = $1`, [t.tenantId]);
      const run = await runTenantDeletion(tenantLifecycleRepository(db.pool), t.tenantId, { batchSize: 100, budgetMs: 60_000, snapshots: store });
      assert.equal(run, 'finished');
      assert.equal(await store.latest(indexKey(t)), null);
      const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "IndexSnapshotChunk" WHERE "tenantId" = $1`, [t.tenantId]);
      assert.equal(rows[0]!.n, 0);
    });
  });
}

/** Flips one byte inside the FAISS part of the tenant's newest snapshot, wherever the store keeps it. */
async function corruptLatest(store: SnapshotStore, t: { tenantId: string; galleryId: string }): Promise<void> {
  const ref = (await store.latest(indexKey(t)))!;
  if (store.kind === 'directory') {
    await flipByte(ref.ref, 100);
    return;
  }
  const [id] = ref.ref.split(':');
  await db.pool.query(`UPDATE "IndexSnapshotChunk" SET data = overlay(data placing '\\xff'::bytea from 101 for 1) WHERE "snapshotId" = $1 AND no = 0`, [id]);
}

async function flipByte(file: string, at: number): Promise<void> {
  assert.ok((await stat(file)).size > at);
  const handle = await open(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await handle.write(b, 0, 1, at);
  } finally {
    await handle.close();
  }
}

