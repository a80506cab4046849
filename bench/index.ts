/**
 * npm run bench:index -- [--sizes 100000,1000000] [--hnsw-sizes 100000] [--ef 128,256,512]
 *                        [--efc 100] [--data clustered|random] [--queries 200] [--threshold 1.0]
 *                        [--db] [--db-faces 100000]
 *
 * Builds flat and HNSW TenantIndexes of synthetic unit 512-d vectors, measures build time, search
 * p50 (k = 10, through TenantIndex.search, so the number[] conversion and id map are included) and
 * HNSW recall@10 against the exact flat result. voterRecallAt10 counts only the exact neighbours
 * within --threshold (L2): the ones classifyFace lets vote, so the ones a decision depends on.
 * `--db` also times a restart: 100k faces stored in
 * PostgreSQL loaded into a ready index. The last stdout line is one JSON object.
 *
 * Data: "clustered" (default) draws persons of 5 faces around a random centre (same-person L2
 * ≈ 0.8, others ≈ 1.4, like face embeddings), and queries are new noisy faces of enrolled persons.
 * "random" is i.i.d. uniform on the sphere with random queries: every distance is ≈ √2, there is
 * no neighbourhood for a graph to follow, so HNSW recall there is a worst case, not a forecast.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { TenantIndex, TenantIndexes, DEFAULT_TENANT_INDEX_OPTIONS, type TenantIndexOptions } from '../src/gallery/index.js';
import { pgFaceIndexSource, type FaceBatch } from '../src/db/face-index-source.js';
import { createScratchDb } from '../test/support/scratch-db.js';

const DIM = 512;
const FACES_PER_PERSON = 5;
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    'hnsw-sizes': { type: 'string', default: '100000' },
    ef: { type: 'string', default: '128,256,512' },
    efc: { type: 'string', default: String(DEFAULT_TENANT_INDEX_OPTIONS.hnsw.efConstruction) },
    data: { type: 'string', default: 'clustered' },
    queries: { type: 'string', default: '200' },
    db: { type: 'boolean', default: false },
    'db-faces': { type: 'string', default: '100000' },
    threshold: { type: 'string', default: '1.0' },
  },
});
const sizes = list(args.sizes);
const hnswSizes = list(args['hnsw-sizes']);
const efs = list(args.ef);
const clustered = args.data !== 'random';
const nQueries = Number(args.queries);
const threshold = Number(args.threshold);

function list(s: string): number[] {
  return s.split(',').filter(Boolean).map(Number);
}

/** Seeded, so flat and HNSW (built in separate passes) see the same vectors. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

function normalise(v: Float32Array, offset: number): void {
  let s = 0;
  for (let j = 0; j < DIM; j++) s += v[offset + j]! ** 2;
  s = Math.sqrt(s);
  for (let j = 0; j < DIM; j++) v[offset + j]! /= s;
}

const NOISE = 0.025; // per dimension: ‖noise‖ ≈ 0.57, so same-person L2 ≈ 0.8
function centreOf(person: number): Float32Array {
  const next = rng(1_000_003 * person + 7);
  const c = new Float32Array(DIM);
  for (let j = 0; j < DIM; j++) c[j] = gaussian(next);
  normalise(c, 0);
  return c;
}

/** Faces [start, start + n) of the synthetic gallery. */
function faces(start: number, n: number): FaceBatch {
  const vectors = new Float32Array(n * DIM);
  const faceIds = new Array<string>(n);
  const personIds = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const face = start + i;
    const person = Math.floor(face / FACES_PER_PERSON);
    const next = rng(face * 2 + 1);
    const centre = clustered ? centreOf(person) : null;
    for (let j = 0; j < DIM; j++) vectors[i * DIM + j] = centre ? centre[j]! + NOISE * gaussian(next) : gaussian(next);
    normalise(vectors, i * DIM);
    faceIds[i] = String(face + 1);
    personIds[i] = `person-${person}`;
  }
  return { faceIds, personIds, vectors, dim: DIM };
}

function queries(galleryFaces: number): Float32Array[] {
  const next = rng(424242);
  return Array.from({ length: nQueries }, () => {
    const q = new Float32Array(DIM);
    const centre = clustered ? centreOf(Math.floor((next() * galleryFaces) / FACES_PER_PERSON)) : null;
    for (let j = 0; j < DIM; j++) q[j] = centre ? centre[j]! + NOISE * gaussian(next) : gaussian(next);
    normalise(q, 0);
    return q;
  });
}

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

async function build(kind: 'flat' | 'hnsw', n: number, options: TenantIndexOptions): Promise<{ index: TenantIndex; ms: number }> {
  const index = new TenantIndex(kind, 0n, options);
  const chunk = 20_000;
  let ms = 0;
  for (let start = 0; start < n; start += chunk) {
    const batch = faces(start, Math.min(chunk, n - start)); // generation is not timed
    const t = performance.now();
    await index.add(batch);
    ms += performance.now() - t;
    sampleRss();
  }
  return { index, ms };
}

interface Searched {
  p50: number;
  results: string[][];
  /** Per query, the exact neighbours that can vote: within the decision threshold. */
  voters: string[][];
}

function p50(index: TenantIndex, qs: readonly Float32Array[]): Searched {
  const times: number[] = [];
  const hits = qs.map((q) => {
    const t = performance.now();
    const found = index.search(q, 10);
    times.push(performance.now() - t);
    return found;
  });
  times.sort((a, b) => a - b);
  return {
    p50: round(times[Math.floor(times.length / 2)]!),
    results: hits.map((h) => h.map((x) => x.faceId)),
    voters: hits.map((h) => h.filter((x) => x.distance <= threshold).map((x) => x.faceId)),
  };
}

/** Share of `truth` ids found; with voters, only the neighbours classifyFace would count. */
function recall(truth: readonly string[][], found: readonly string[][]): number {
  let hit = 0;
  let total = 0;
  truth.forEach((t, i) => {
    const s = new Set(found[i]);
    total += t.length;
    for (const id of t) if (s.has(id)) hit++;
  });
  return total === 0 ? 1 : round(hit / total, 3);
}

function round(x: number, digits = 2): number {
  return Number(x.toFixed(digits));
}

function label(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`;
}

async function restartFromDb(n: number): Promise<number> {
  const db = await createScratchDb();
  try {
    const tenantId = randomUUID();
    const model = 'bench-512';
    await db.pool.query(`INSERT INTO "Tenant" (id, name, slug, "updatedAt") VALUES ($1::uuid, 'bench', $1::text, now())`, [tenantId]);
    const persons = Math.ceil(n / FACES_PER_PERSON);
    const personIds = Array.from({ length: persons }, () => randomUUID());
    await db.pool.query(
      `INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") SELECT p, $1, 'p', now() FROM unnest($2::uuid[]) p`,
      [tenantId, personIds],
    );
    await db.pool.query(
      `INSERT INTO "EnrollmentSession" (id, "tenantId", "personId", source, "updatedAt")
       SELECT p, $1, p, 'IMAGES', now() FROM unnest($2::uuid[]) p`,
      [tenantId, personIds],
    );
    // Everyone in one gallery: the index of a one-gallery tenant.
    const galleryId = randomUUID();
    await db.pool.query(`INSERT INTO "Gallery" (id, "tenantId", name, "updatedAt") VALUES ($1, $2, 'default', now())`, [galleryId, tenantId]);
    await db.pool.query(`INSERT INTO "GalleryMember" ("galleryId", "personId", "tenantId") SELECT $1, p, $2 FROM unnest($3::uuid[]) p`, [galleryId, tenantId, personIds]);
    for (let start = 0; start < n; start += 2000) {
      const batch = faces(start, Math.min(2000, n - start));
      const texts = batch.faceIds.map((_, i) => `[${batch.vectors.subarray(i * DIM, (i + 1) * DIM).join(',')}]`);
      const owners = batch.faceIds.map((_, i) => personIds[Math.floor((start + i) / FACES_PER_PERSON)]!);
      await db.pool.query(
        `INSERT INTO "Face" ("tenantId", "personId", "sessionId", model, embedding, searchable, "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore")
         SELECT $1, p, p, $2, e::vector, true, 0, 0, 1, 1, 1 FROM unnest($3::uuid[], $4::text[]) AS t(p, e)`,
        [tenantId, model, owners, texts],
      );
    }
    await db.pool.query('VACUUM ANALYZE "Face"');
    // A fresh pool, as after a restart.
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const t = performance.now();
      const indexes = new TenantIndexes({ source: pgFaceIndexSource(pool), loadWaitMs: 600_000 });
      const index = await indexes.get({ tenantId, galleryId, model });
      const ms = performance.now() - t;
      if (index.size !== n) throw new Error(`Loaded ${index.size} of ${n} faces.`);
      sampleRss();
      return round(ms, 0);
    } finally {
      await pool.end();
    }
  } finally {
    await db.drop();
  }
}

async function main(): Promise<void> {
  const buildMs: Record<string, number> = {};
  const searchP50Ms: Record<string, number> = {};
  const recallAt10: Record<string, number> = {};
  const voterRecallAt10: Record<string, number> = {};
  const efConstruction = Number(args.efc);
  for (const n of sizes) {
    const qs = queries(n);
    const flat = await build('flat', n, DEFAULT_TENANT_INDEX_OPTIONS);
    buildMs[`flat${label(n)}`] = round(flat.ms, 0);
    const exact = p50(flat.index, qs);
    searchP50Ms[`flat${label(n)}`] = exact.p50;
    console.log(`flat ${label(n)}: build ${round(flat.ms, 0)} ms, search p50 ${exact.p50} ms`);
    if (!hnswSizes.includes(n)) continue;
    const options: TenantIndexOptions = {
      ...DEFAULT_TENANT_INDEX_OPTIONS,
      hnsw: { ...DEFAULT_TENANT_INDEX_OPTIONS.hnsw, efConstruction, efSearch: efs[0]! },
    };
    const hnsw = await build('hnsw', n, options);
    buildMs[`hnsw${label(n)}`] = round(hnsw.ms, 0);
    console.log(`hnsw ${label(n)}: build ${round(hnsw.ms, 0)} ms (efConstruction ${efConstruction})`);
    for (const ef of efs) {
      if (ef !== efs[0]) {
        // setEfSearch re-serialises the index: several copies of it in memory at once.
        if (n >= 500_000) {
          console.log(`hnsw ${label(n)} efSearch ${ef}: skipped (re-tuning a ${label(n)} index needs ~5x its memory; build with --ef ${ef} first)`);
          continue;
        }
        hnsw.index.setEfSearch(ef);
      }
      const approx = p50(hnsw.index, qs);
      searchP50Ms[`hnsw${label(n)}@ef${ef}`] = approx.p50;
      const at = `hnsw${label(n)}@ef${ef}`;
      recallAt10[at] = recall(exact.results, approx.results);
      voterRecallAt10[at] = recall(exact.voters, approx.results);
      sampleRss();
      console.log(`hnsw ${label(n)} efSearch ${ef}: search p50 ${approx.p50} ms, recall@10 ${recallAt10[at]}, within-threshold recall ${voterRecallAt10[at]}`);
    }
  }
  const restart = args.db ? { restart100kReadyMs: await restartFromDb(Number(args['db-faces'])) } : {};
  if (args.db) console.log(`restart: ${args['db-faces']} stored faces ready in ${restart.restart100kReadyMs} ms`);
  console.log(
    JSON.stringify({ buildMs, searchP50Ms, recallAt10, voterRecallAt10, threshold, rssMb: Math.round(peakRss / 2 ** 20), data: clustered ? 'clustered' : 'random', efConstruction, ...restart }),
  );
}

await main();
