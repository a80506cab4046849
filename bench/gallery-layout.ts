// The galleries part of `npm run bench:identify -- --galleries N`: seeds one tenant with N galleries
// of about F synthetic faces each (every person one face, in 1 to 3 galleries, so each index holds
// its members' vectors and a person in three galleries is stored three times), and measures the
// memory of that layout against one index of the same tenant's distinct faces (the
// one-index-per-(tenant, model) layout), by the indexes' own estimate (the figure the LRU memory
// budget uses: vectors plus id map). RSS growth is not reported: freed FAISS memory stays with the
// allocator, so it says more about the order of the loads than about the layouts.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { pgFaceIndexSource } from '../src/db/index.js';
import { TenantIndexes } from '../src/gallery/index.js';

const BATCH = 1000;

function unitVector(dim: number): string {
  const v = Array.from({ length: dim }, () => Math.random() * 2 - 1);
  const n = Math.hypot(...v);
  return `[${v.map((x) => x / n).join(',')}]`;
}

/** `count` people of one face each, directly in SQL; person i is in galleriesOf(i). */
export async function seedPeople(pool: pg.Pool, tenantId: string, model: string, count: number, galleriesOf: (i: number) => string[]): Promise<void> {
  const session = randomUUID();
  const first = randomUUID();
  await pool.query(`INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") VALUES ($1, $2, 'synthetic', now())`, [first, tenantId]);
  await pool.query(`INSERT INTO "EnrollmentSession" (id, "tenantId", "personId", source, status, "updatedAt") VALUES ($1, $2, $3, 'IMPORT', 'COMPLETED', now())`, [session, tenantId, first]);
  for (let done = 0; done < count; done += BATCH) {
    const n = Math.min(BATCH, count - done);
    const people = Array.from({ length: n }, (_, i) => (done + i === 0 ? first : randomUUID()));
    await pool.query(`INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") SELECT p, $1, 'synthetic', now() FROM unnest($2::uuid[]) p ON CONFLICT DO NOTHING`, [tenantId, people]);
    await pool.query(
      `INSERT INTO "Face" ("tenantId", "personId", "sessionId", model, embedding, searchable, "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore")
       SELECT $1, p, $2, $3, v::vector, true, 0, 0, 112, 112, 1 FROM unnest($4::uuid[], $5::text[]) AS t(p, v)`,
      [tenantId, session, model, people, people.map(() => unitVector(512))],
    );
    const members = people.flatMap((p, i) => galleriesOf(done + i).map((g) => [g, p] as const));
    await pool.query(
      `INSERT INTO "GalleryMember" ("galleryId", "personId", "tenantId") SELECT g, p, $1 FROM unnest($2::uuid[], $3::uuid[]) AS t(g, p)`,
      [tenantId, members.map((m) => m[0]), members.map((m) => m[1])],
    );
  }
}

/** Fresh planner statistics after a bulk load, as autovacuum would give them in time. */
export async function analyze(pool: pg.Pool): Promise<void> {
  await pool.query('ANALYZE "Person", "Face", "GalleryMember", "Gallery"');
}

export async function createGalleries(pool: pg.Pool, tenantId: string, count: number, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await pool.query(
    `INSERT INTO "Gallery" (id, "tenantId", name, "updatedAt") SELECT g, $1, $2 || i, now() FROM unnest($3::uuid[]) WITH ORDINALITY AS t(g, i)`,
    [tenantId, prefix, ids],
  );
  return ids;
}

/** 1 to 3 distinct galleries per person, spread so each gallery gets about the same number. */
export function spreadOver(galleries: readonly string[]): (i: number) => string[] {
  return (i) => {
    const k = 1 + (i % 3);
    return Array.from({ length: k }, (_, j) => galleries[(i * 7 + j * 13) % galleries.length]!).filter((g, j, all) => all.indexOf(g) === j);
  };
}

export interface LayoutMemory {
  /** Search of one gallery for k = 3, median ms: its own index, against the tenant's one index filtered to the gallery's members. */
  searchMs: number;
  filteredSearchMs: number;
  /** Every gallery's index: the layout Visage uses. */
  indexMb: number;
  vectors: number;
  /** One index of the tenant's distinct faces: the one-index-per-(tenant, model) layout. */
  singleIndexMb: number;
  distinctFaces: number;
}

const mb = (bytes: number) => +(bytes / 1024 / 1024).toFixed(1);

async function loadAll(pool: pg.Pool, keys: { tenantId: string; galleryId: string; model: string }[]) {
  const indexes = new TenantIndexes({ source: pgFaceIndexSource(pool), loadWaitMs: 600_000 });
  let bytes = 0;
  let vectors = 0;
  for (const key of keys) {
    const index = await indexes.get(key);
    bytes += index.estimatedBytes();
    vectors += index.size;
  }
  return { indexes, bytes, vectors, first: await indexes.get(keys[0]!) };
}

const K = 3;
const QUERIES = 200;

function randomQuery(): Float32Array {
  const v = Float32Array.from({ length: 512 }, () => Math.random() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function medianMs(run: (q: Float32Array) => void, queries: Float32Array[]): number {
  const times = queries.map((q) => {
    const t = performance.now();
    run(q);
    return performance.now() - t;
  });
  times.sort((a, b) => a - b);
  return +times[times.length >> 1]!.toFixed(3);
}

/**
 * The one-index layout's search of one gallery: faiss-node has no search-time id filter, so the
 * nearest neighbours are read ever deeper (doubling) until K of them are members.
 */
function filteredSearch(index: Awaited<ReturnType<typeof loadAll>>['first'], members: ReadonlySet<string>, q: Float32Array): number {
  for (let depth = K; ; depth *= 2) {
    const hits = index.search(q, depth).filter((h) => members.has(h.personId));
    if (hits.length >= K || depth >= index.size) return hits.length;
  }
}

/**
 * Loads every gallery's index in this process, then one index holding every distinct face of the
 * tenant (an extra gallery of everyone, which the server never loads), one layout at a time.
 */
export async function measureLayouts(pool: pg.Pool, tenantId: string, model: string, galleryIds: readonly string[]): Promise<LayoutMemory> {
  const perGallery = await loadAll(pool, galleryIds.map((galleryId) => ({ tenantId, galleryId, model })));
  const queries = Array.from({ length: QUERIES }, randomQuery);
  const searchMs = medianMs((q) => perGallery.first.search(q, K), queries);
  perGallery.indexes.clear();
  const { rows } = await pool.query<{ personId: string }>(`SELECT "personId"::text FROM "GalleryMember" WHERE "galleryId" = $1`, [galleryIds[0]]);
  const members = new Set(rows.map((r) => r.personId));
  const [everyone] = await createGalleries(pool, tenantId, 1, 'everyone-');
  await pool.query(`INSERT INTO "GalleryMember" ("galleryId", "personId", "tenantId") SELECT $1, id, $2 FROM "Person" WHERE "tenantId" = $2`, [everyone, tenantId]);
  await analyze(pool);
  const single = await loadAll(pool, [{ tenantId, galleryId: everyone!, model }]);
  const filteredSearchMs = medianMs((q) => filteredSearch(single.first, members, q), queries);
  single.indexes.clear();
  await pool.query(`DELETE FROM "Gallery" WHERE id = $1`, [everyone]);
  return { searchMs, filteredSearchMs, indexMb: mb(perGallery.bytes), vectors: perGallery.vectors, singleIndexMb: mb(single.bytes), distinctFaces: single.vectors };
}
