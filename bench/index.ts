/**
 * npm run bench:index -- [--sizes 100000,1000000] [--hnsw-sizes <default: all sizes>] [--ef <server's efSearch>,256] [--m 32] [--efc 100] (defaults: the server's) [--queries 200]
 *                        [--threshold 1.0] [--iid-size 100000] [--tenants 2000] [--tenant-faces 1000]
 *                        [--calls 20000] [--zipf 1.0] [--store directory|postgres] [--build-nice 10]
 *                        [--hnsw-storage flat|fp16|sq8]
 *
 * Per size n, on clustered face-shaped data (bench/support/synthetic-faces.ts): the flat build
 * (this thread), the HNSW build as the server runs it (a child process on all cores, this process
 * streaming 5,000-face batches) with this event loop's p99 lag meanwhile, search p50 (k = 10,
 * through TenantIndex.search), recall@10 against the exact result and voter recall (only the
 * exact neighbours within --threshold, the ones classifyFace lets vote); the snapshot write and
 * the restart: a fresh TenantIndexes ready from the snapshot (in a directory, or with
 * --store postgres in a scratch PostgreSQL database, chunked). rssMb is the steady-state RSS of a
 * separate process holding only the HNSW index read from that snapshot (tenantRssMb has each
 * index); benchPeakRssMb is this process's peak, with all its copies. i.i.d. recall is
 * measured at --iid-size (0 skips it). Then many tenants: --tenants snapshots of --tenant-faces
 * faces, a memory budget holding a quarter of them, --calls searches over Zipf-distributed
 * tenants: the LRU hit rate and the p95 of a cold tenant's first search (snapshot load + search;
 * the identify pipeline adds detection and embedding on top). The last stdout line is JSON.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TenantIndex, TenantIndexes, DEFAULT_TENANT_INDEX_OPTIONS, directorySnapshotStore, postgresSnapshotStore, snapshotIdOf, type IndexKey, type SnapshotStore, type TenantIndexOptions } from '../src/gallery/index.js';
import { indexSnapshotRepository } from '../src/db/index-snapshot-repository.js';
import { createScratchDb, type ScratchDb } from '../test/support/scratch-db.js';
import { buildHnswInChild } from '../src/gallery/hnsw-build.js';
import { finishSnapshot, writeSnapshot } from '../src/gallery/snapshot-file.js';
import { flatIndexBytes } from '../src/gallery/faiss-buffers.js';
import { DIM, rng, SyntheticGallery, type DataShape } from './support/synthetic-faces.js';
import { snapshotOnlySource } from './support/snapshot-only-source.js';
import { recall, searchAll, type Searched } from './support/search-recall.js';
import { tenantRssMb } from './support/tenant-rss.js';
import { HNSW_STORAGES } from '../src/config/hnsw-storage.js';
import { parseOneOf } from '../src/config/parsers.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000' },
    'hnsw-sizes': { type: 'string' },
    // The first is the headline: by default the server's own efSearch.
    ef: { type: 'string', default: `${DEFAULT_TENANT_INDEX_OPTIONS.hnsw.efSearch},256` },
    efc: { type: 'string', default: String(DEFAULT_TENANT_INDEX_OPTIONS.hnsw.efConstruction) },
    m: { type: 'string', default: String(DEFAULT_TENANT_INDEX_OPTIONS.hnsw.m) },
    'hnsw-storage': { type: 'string', default: DEFAULT_TENANT_INDEX_OPTIONS.hnsw.storage ?? 'flat' },
    queries: { type: 'string', default: '200' },
    threshold: { type: 'string', default: '1.0' },
    'iid-size': { type: 'string', default: '100000' },
    tenants: { type: 'string', default: '2000' },
    'tenant-faces': { type: 'string', default: '1000' },
    calls: { type: 'string', default: '20000' },
    zipf: { type: 'string', default: '1.0' },
    store: { type: 'string', default: 'directory' },
    // How many steps below this process the build child runs (the server's default; 0 = same priority, the old behaviour).
    'build-nice': { type: 'string', default: '10' },
  },
});
const list = (s: string): number[] => s.split(',').filter(Boolean).map(Number);
const efs = list(args.ef);
const threshold = Number(args.threshold);
const MODEL = 'bench-512';
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const label = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

const work = await mkdtemp(path.join(tmpdir(), 'visage-bench-index-'));
const store = directorySnapshotStore(path.join(work, 'snapshots'));
// The restart measurement's store; the many-tenant run always uses the directory (gigabytes of rows otherwise).
const pgDb: ScratchDb | null = args.store === 'postgres' ? await createScratchDb() : null;
const restartStore: SnapshotStore = pgDb ? postgresSnapshotStore(indexSnapshotRepository(pgDb.pool), path.join(work, 'scratch')) : store;
let peakRss = 0;
const sampleRss = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const optionsFor = (kind: 'flat' | 'hnsw', efSearch = efs[0]!): TenantIndexOptions => ({
  ...DEFAULT_TENANT_INDEX_OPTIONS,
  // Keeps a restored index as it is (no kind-change rebuild, which would need the faces).
  hnswAbove: kind === 'flat' ? 1e9 : 1,
  hnsw: { m: Number(args.m), efConstruction: Number(args.efc), efSearch, storage: parseOneOf(args['hnsw-storage'], HNSW_STORAGES, 'flat') },
});

async function buildFlat(g: SyntheticGallery): Promise<{ index: TenantIndex; ms: number }> {
  const index = new TenantIndex('flat', 0n, optionsFor('flat'));
  const t = performance.now();
  for await (const batch of g.batches(20_000)) await index.add(batch);
  sampleRss();
  return { index, ms: performance.now() - t };
}

/** As the server builds it: a child process, fed 5,000-face batches; this loop's lag sampled meanwhile. */
async function buildHnsw(g: SyntheticGallery): Promise<{ index: TenantIndex; ms: number; cpuMs: number; lagP99Ms: number }> {
  const file = await store.stagingPath();
  const lag = monitorEventLoopDelay({ resolution: 5 });
  const sampler = setInterval(sampleRss, 1000);
  lag.enable();
  const t = performance.now();
  const built = await buildHnswInChild(g.batches(5000), file, 0n, optionsFor('hnsw'), () => undefined, Number(args['build-nice']));
  const ms = performance.now() - t;
  lag.disable();
  clearInterval(sampler);
  await rm(file);
  sampleRss();
  return { index: built!.index, ms, cpuMs: built!.cpuMs, lagP99Ms: lag.percentile(99) / 1e6 };
}

const search = (index: TenantIndex, qs: readonly Float32Array[]): Searched => searchAll(index, qs, threshold);

/** Writes `index` as a snapshot, then times a fresh TenantIndexes (a restarted server) until it is ready from it. */
async function restart(index: TenantIndex): Promise<{ writeMs: number; bytes: number; readyMs: number; tenantRssMb: number }> {
  const key = { tenantId: randomUUID(), galleryId: randomUUID(), model: MODEL };
  await pgDb?.pool.query(`INSERT INTO "Tenant" (id, name, slug, "updatedAt") VALUES ($1::uuid, 'bench', $1::text, now())`, [key.tenantId]);
  let t = performance.now();
  const file = await restartStore.stagingPath();
  const header = await writeSnapshot(file, snapshotIdOf(key), index.kind, 0n, index.contents()!);
  let writeMs = performance.now() - t;
  const tenantRss = await tenantRssMb(file, snapshotIdOf(key));
  t = performance.now();
  await restartStore.put(key, 0n, file);
  writeMs += performance.now() - t;
  const indexes = new TenantIndexes({ source: snapshotOnlySource(() => index.size), index: optionsFor(index.kind), snapshots: { store: restartStore, minFaces: 0, everyChanges: 1e9 }, loadWaitMs: 3_600_000 });
  t = performance.now();
  const ready = await indexes.get(key);
  const readyMs = performance.now() - t;
  if (ready.kind !== index.kind || ready.size !== index.size) throw new Error(`restart gave a ${ready.kind} of ${ready.size}, not a ${index.kind} of ${index.size}`);
  sampleRss();
  await restartStore.removeTenant(key.tenantId);
  return { writeMs: round(writeMs, 0), bytes: header.faissBytes + header.idMapBytes, readyMs: round(readyMs, 0), tenantRssMb: tenantRss };
}

/** HNSW recall of one data shape at each efSearch, against exact flat search. */
async function recallOf(shape: DataShape, n: number, out: Record<string, number>, voters: Record<string, number>, p50: Record<string, number>): Promise<void> {
  const g = new SyntheticGallery(n, shape, shape === 'iid' ? 11 : 7);
  const qs = g.queries(Number(args.queries));
  const flat = await buildFlat(g);
  const exact = search(flat.index, qs);
  const hnsw = await buildHnsw(g);
  for (const ef of efs) {
    if (ef !== efs[0]) hnsw.index.setEfSearch(ef);
    const approx = search(hnsw.index, qs);
    out[`${shape}${label(n)}@ef${ef}`] = recall(exact.results, approx.results);
    voters[`${shape}${label(n)}@ef${ef}`] = recall(exact.voters, approx.results);
    p50[`hnsw${label(n)}-${shape}@ef${ef}`] = approx.p50;
  }
}

/** Many small tenants behind an LRU holding a quarter of them, loaded from snapshots on demand. */
async function manyTenants(): Promise<{ coldP95Ms: number; hitRate: number; coldLoads: number }> {
  const tenants = Number(args.tenants);
  const faces = Number(args['tenant-faces']);
  const ids = Array.from({ length: tenants }, () => randomUUID());
  const probes: Float32Array[] = [];
  for (const [i, tenantId] of ids.entries()) {
    const g = new SyntheticGallery(faces, 'clustered', 1000 + i);
    probes.push(g.queries(1)[0]!);
    const key = galleryKey(tenantId);
    const file = await store.stagingPath();
    // faiss's own flat layout written directly: no FAISS object (and no fromBuffer leak) per tenant.
    await writeFile(file, flatIndexBytes(DIM, g.vectors));
    await finishSnapshot(file, snapshotIdOf(key), 'flat', 0n, DIM, { labelFace: g.faceIds, labelPerson: g.personIds, dead: [] });
    await store.put(key, 0n, file);
  }
  const options = optionsFor('flat');
  const perTenant = new TenantIndex('flat', 0n, options);
  await perTenant.add(new SyntheticGallery(faces, 'clustered', 999).batch(0, faces));
  const indexes = new TenantIndexes({
    source: snapshotOnlySource(() => faces),
    index: options,
    snapshots: { store, minFaces: 0, everyChanges: 1e9 },
    memoryBudgetBytes: Math.ceil(tenants / 4) * perTenant.estimatedBytes(),
    loadWaitMs: 600_000,
  });
  const zipf = Number(args.zipf);
  const cumulative: number[] = [];
  ids.forEach((_, rank) => cumulative.push((cumulative[rank - 1] ?? 0) + 1 / (rank + 1) ** zipf));
  const next = rng(2024);
  const calls = Number(args.calls);
  const warmup = Math.floor(calls / 10);
  const cold: number[] = [];
  let hits = 0;
  for (let c = 0; c < calls; c++) {
    const u = next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    for (let hi = cumulative.length - 1; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    const hit = indexes.state(galleryKey(ids[lo]!)) === 'ready';
    const t = performance.now();
    await indexes.search(galleryKey(ids[lo]!), probes[lo]!, 10);
    const ms = performance.now() - t;
    if (c < warmup) continue;
    if (hit) hits++;
    else cold.push(ms);
  }
  sampleRss();
  cold.sort((a, b) => a - b);
  return { coldP95Ms: round(cold[Math.floor(cold.length * 0.95)] ?? 0), hitRate: round(hits / (calls - warmup), 3), coldLoads: cold.length };
}

async function main(): Promise<void> {
  const buildMs: Record<string, number> = {};
  // CPU time of the HNSW build child (all threads): comparable across machine loads, unlike buildMs.
  const buildCpuMs: Record<string, number> = {};
  const searchP50Ms: Record<string, number> = {};
  const restartReadyMs: Record<string, number> = {};
  const recallAt10: Record<string, number> = {};
  const voterRecallAt10: Record<string, number> = {};
  let snapshot = { writeMs: 0, bytes: 0 };
  let lagP99 = 0;
  // Steady-state RSS of a process holding only that one index (bench/support/tenant-rss.ts).
  const tenantRss: Record<string, number> = {};
  for (const n of list(args.sizes)) {
    const g = new SyntheticGallery(n, 'clustered');
    const qs = g.queries(Number(args.queries));
    let flat: Awaited<ReturnType<typeof buildFlat>> | null = await buildFlat(g);
    buildMs[`flat${label(n)}`] = round(flat.ms, 0);
    const exact = search(flat.index, qs);
    searchP50Ms[`flat${label(n)}`] = exact.p50;
    const flatRestart = await restart(flat.index);
    restartReadyMs[`flat${label(n)}`] = flatRestart.readyMs;
    tenantRss[`flat${label(n)}`] = flatRestart.tenantRssMb;
    // At 1M every index copy is 2 GB: release the flat ones before the HNSW build.
    flat = null;
    release();
    console.log(`flat ${label(n)}: build ${buildMs[`flat${label(n)}`]} ms, search p50 ${exact.p50} ms, ready from snapshot ${restartReadyMs[`flat${label(n)}`]} ms`);
    if (args['hnsw-sizes'] !== undefined && !list(args['hnsw-sizes']).includes(n)) continue;
    const hnsw = await buildHnsw(g);
    buildMs[`hnsw${label(n)}`] = round(hnsw.ms, 0);
    buildCpuMs[`hnsw${label(n)}`] = round(hnsw.cpuMs, 0);
    lagP99 = Math.max(lagP99, round(hnsw.lagP99Ms, 1));
    // The first efSearch is the headline; the others cost one index copy each (setEfSearch).
    let approx = search(hnsw.index, qs);
    for (const ef of efs) {
      if (ef !== efs[0]) {
        hnsw.index.setEfSearch(ef);
        release();
        approx = search(hnsw.index, qs);
      }
      searchP50Ms[`hnsw${label(n)}@ef${ef}`] = approx.p50;
      recallAt10[`clustered${label(n)}@ef${ef}`] = recall(exact.results, approx.results);
      voterRecallAt10[`clustered${label(n)}@ef${ef}`] = recall(exact.voters, approx.results);
    }
    const restarted = await restart(hnsw.index);
    release();
    restartReadyMs[`hnsw${label(n)}`] = restarted.readyMs;
    tenantRss[`hnsw${label(n)}`] = restarted.tenantRssMb;
    snapshot = { writeMs: restarted.writeMs, bytes: restarted.bytes };
    console.log(`hnsw ${label(n)}: build ${buildMs[`hnsw${label(n)}`]} ms (${buildCpuMs[`hnsw${label(n)}`]} ms CPU; lag p99 ${round(hnsw.lagP99Ms, 1)} ms), search p50 ${searchP50Ms[`hnsw${label(n)}@ef${efs[0]}`]} ms, recall@10 ${recallAt10[`clustered${label(n)}@ef${efs[0]}`]}, snapshot ${restarted.bytes} B in ${restarted.writeMs} ms, ready from it in ${restarted.readyMs} ms`);
  }
  const iidSize = Number(args['iid-size']);
  if (iidSize > 0) await recallOf('iid', iidSize, recallAt10, voterRecallAt10, searchP50Ms);
  const many = Number(args.tenants) > 0 ? await manyTenants() : null;
  if (many) console.log(`${args.tenants} tenants × ${args['tenant-faces']} faces, LRU of a quarter: hit rate ${many.hitRate}, cold first search p95 ${many.coldP95Ms} ms over ${many.coldLoads} cold loads`);
  await rm(work, { recursive: true, force: true });
  await pgDb?.drop();
  const first = (r: Record<string, number>, prefix: string) => Object.entries(r).find(([k]) => k.startsWith(prefix))?.[1] ?? null;
  console.log(
    JSON.stringify({
      buildMs,
      buildCpuMs,
      snapshotWriteMs: snapshot.writeMs,
      snapshotBytes: snapshot.bytes,
      restartReadyMs,
      searchP50Ms,
      recallAt10: { clustered: first(recallAt10, 'clustered'), iid: first(recallAt10, 'iid'), ...recallAt10 },
      voterRecallAt10: first(voterRecallAt10, 'clustered'),
      voterRecallDetail: voterRecallAt10,
      eventLoopLagP99MsDuringBuild: lagP99,
      rssMb: first(tenantRss, 'hnsw') ?? first(tenantRss, 'flat'),
      tenantRssMb: tenantRss,
      benchPeakRssMb: Math.round(peakRss / 2 ** 20),
      coldTenantFirstIdentifyP95Ms: many?.coldP95Ms ?? null,
      lruHitRate: many?.hitRate ?? null,
      m: Number(args.m),
      efConstruction: Number(args.efc),
      hnswStorage: args['hnsw-storage'],
      store: args.store,
      buildNice: Number(args['build-nice']),
      loadAvg: loadavg().map((x) => round(x, 1)),
    }),
  );
}

await main();

/**
 * faiss-node frees an index's native memory only when V8 collects its wrapper, and V8 does not
 * see those gigabytes: collect now (the npm script runs node with --expose-gc).
 */
function release(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A many-tenants tenant's one index: its gallery id is derived from the tenant id, so the key is stable. */
function galleryKey(tenantId: string): IndexKey {
  return { tenantId, galleryId: tenantId, model: MODEL };
}
