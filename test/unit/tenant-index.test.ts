import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TENANT_INDEX_OPTIONS, TenantIndex, type TenantIndexOptions } from '../../src/gallery/index.js';
import { flatIndexFromVectors } from '../../src/gallery/faiss-buffers.js';
import { batchOf, bruteForce, randomUnitVectors } from './tenant-index-fixtures.js';

const DIM = 16;
const hnswOptions: TenantIndexOptions = { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: 0, hnswAddChunk: 7 };

for (const kind of ['flat', 'hnsw'] as const) {
  const options = kind === 'hnsw' ? hnswOptions : DEFAULT_TENANT_INDEX_OPTIONS;

  test(`${kind}: an empty index answers any search with no hits`, () => {
    const index = new TenantIndex(kind, 0n, options);
    assert.deepEqual(index.search(new Float32Array(DIM), 5), []);
    assert.equal(index.size, 0);
  });

  test(`${kind}: search returns the nearest faces with L2 (not squared) distances, nearest first`, async () => {
    const index = new TenantIndex(kind, 0n, options);
    const vectors = randomUnitVectors(50, DIM, 1);
    await index.add(batchOf(vectors, DIM, (i) => `p${i % 5}`));
    const query = randomUnitVectors(1, DIM, 2);
    const hits = index.search(query, 5);
    const expected = bruteForce(vectors, DIM, query, 5);
    assert.deepEqual(hits.map((h) => h.faceId), expected.map((e) => String(e.row + 1)));
    hits.forEach((h, i) => assert.ok(Math.abs(h.distance - expected[i]!.distance) < 1e-4));
    assert.equal(hits[0]!.label, hits[0]!.personId);
    assert.equal(hits[0]!.personId, `p${expected[0]!.row % 5}`);
  });

  test(`${kind}: k larger than the gallery is clamped to the live faces`, async () => {
    const index = new TenantIndex(kind, 0n, options);
    await index.add(batchOf(randomUnitVectors(3, DIM, 3), DIM));
    assert.equal(index.search(randomUnitVectors(1, DIM, 4), 10).length, 3);
  });

  test(`${kind}: adding a face twice keeps one copy`, async () => {
    const index = new TenantIndex(kind, 0n, options);
    const batch = batchOf(randomUnitVectors(4, DIM, 5), DIM);
    assert.equal(await index.add(batch), 4);
    assert.equal(await index.add(batch), 0);
    assert.equal(index.size, 4);
    assert.equal(index.search(batch.vectors.subarray(0, DIM), 10).length, 4);
  });

  test(`${kind}: removed faces never come back from search and the rest keep their identities`, async () => {
    const index = new TenantIndex(kind, 0n, options);
    const vectors = randomUnitVectors(40, DIM, 6);
    await index.add(batchOf(vectors, DIM, (i) => `person-${i}`));
    const removed = ['1', '7', '8', '20', '40'];
    assert.equal(index.remove([...removed, 'no-such-face']), 5);
    assert.equal(index.size, 35);
    for (let row = 0; row < 40; row++) {
      const hits = index.search(vectors.subarray(row * DIM, (row + 1) * DIM), 40);
      assert.equal(hits.length, 35);
      assert.ok(hits.every((h) => !removed.includes(h.faceId)));
      assert.ok(hits.every((h) => h.personId === `person-${Number(h.faceId) - 1}`), 'id map out of step with FAISS');
      if (!removed.includes(String(row + 1))) assert.equal(hits[0]!.faceId, String(row + 1));
    }
  });

  test(`${kind}: removing every face leaves an empty index that accepts new faces`, async () => {
    const index = new TenantIndex(kind, 0n, options);
    await index.add(batchOf(randomUnitVectors(3, DIM, 7), DIM));
    index.remove(['1', '2', '3']);
    assert.deepEqual(index.search(randomUnitVectors(1, DIM, 8), 3), []);
    await index.add(batchOf(randomUnitVectors(2, DIM, 9), DIM, undefined, 100));
    assert.deepEqual(index.search(randomUnitVectors(1, DIM, 10), 5).map((h) => h.faceId).sort(), ['100', '101']);
  });

  test(`${kind}: a query of the wrong dimension is refused`, async () => {
    const index = new TenantIndex(kind, 0n, options);
    await index.add(batchOf(randomUnitVectors(2, DIM, 11), DIM));
    assert.throws(() => index.search(new Float32Array(DIM + 1), 1), /dimensions/);
  });
}

test('hnsw: tombstones past the share ask for a rebuild; flat asks when grown past the HNSW size', async () => {
  const hnsw = new TenantIndex('hnsw', 0n, { ...hnswOptions, maxTombstoneShare: 0.2 });
  await hnsw.add(batchOf(randomUnitVectors(10, DIM, 12), DIM));
  hnsw.remove(['1', '2']);
  assert.equal(hnsw.rebuildReason(), null);
  hnsw.remove(['3']);
  assert.equal(hnsw.rebuildReason(), 'tombstones');

  const flat = new TenantIndex('flat', 0n, { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: 5 });
  await flat.add(batchOf(randomUnitVectors(5, DIM, 13), DIM));
  assert.equal(flat.rebuildReason(), null);
  await flat.add(batchOf(randomUnitVectors(1, DIM, 14), DIM, undefined, 50));
  assert.equal(flat.rebuildReason(), 'grown-past-flat');
});

test('the kind follows the configured HNSW size', () => {
  assert.equal(TenantIndex.kindFor(200_000), 'flat');
  assert.equal(TenantIndex.kindFor(200_001), 'hnsw');
});

test('a flat index built from a Float32Array answers exactly like one built from number[]', async () => {
  const vectors = randomUnitVectors(30, DIM, 15);
  const fromTyped = flatIndexFromVectors(DIM, vectors);
  const faiss = (await import('faiss-node')).default;
  const viaAdd = new faiss.IndexFlatL2(DIM);
  viaAdd.add(Array.from(vectors));
  const query = Array.from(randomUnitVectors(1, DIM, 16));
  assert.deepEqual(fromTyped.search(query, 30), viaAdd.search(query, 30));
});

test('changing efSearch on a built HNSW index keeps every face and its identity', async () => {
  const index = new TenantIndex('hnsw', 0n, hnswOptions);
  const vectors = randomUnitVectors(30, DIM, 17);
  await index.add(batchOf(vectors, DIM, (i) => `person-${i}`));
  index.remove(['4']);
  index.setEfSearch(300);
  for (const row of [0, 10, 29]) {
    const hits = index.search(vectors.subarray(row * DIM, (row + 1) * DIM), 29);
    assert.equal(hits.length, 29);
    assert.equal(hits[0]!.faceId, String(row + 1));
    assert.equal(hits[0]!.personId, `person-${row}`);
    assert.ok(hits.every((h) => h.faceId !== '4'));
  }
  assert.throws(() => new TenantIndex('flat', 0n).setEfSearch(10), /HNSW/);
});

for (const [storage, tolerance] of [['sq8', 0.05], ['fp16', 0.002]] as const) {
  test(`hnsw with ${storage} storage: trained on its first chunk, every face finds itself, distances within ${tolerance} of exact`, async () => {
    const options: TenantIndexOptions = { ...hnswOptions, hnswAddChunk: 300, hnsw: { ...hnswOptions.hnsw, storage } };
    const index = new TenantIndex('hnsw', 0n, options);
    const vectors = randomUnitVectors(300, DIM, 21);
    await index.add(batchOf(vectors, DIM));
    const query = randomUnitVectors(1, DIM, 22);
    const expected = bruteForce(vectors, DIM, query, 5);
    const hits = index.search(query, 5);
    hits.forEach((h, i) => assert.ok(Math.abs(h.distance - expected[i]!.distance) < tolerance, `distance ${h.distance} against ${expected[i]!.distance}`));
    for (const row of [0, 99, 299]) assert.equal(index.search(vectors.subarray(row * DIM, (row + 1) * DIM), 1)[0]!.faceId, String(row + 1));
  });
}
