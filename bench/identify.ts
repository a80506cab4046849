// `npm run bench:identify [-- --model face-arcface-512-int8 --upload file --synthetic 10000 --requests 60 --rounds 2 --database-url URL --profile DIR --server-flags=--trace-gc]`
// Seeds a tenant with N synthetic unit vectors plus real enrolled faces, then measures, in rounds
// that interleave the two so machine load hits both alike:
//   bare:   the pipeline in this process (decode → detect → align → embed in the same pipeline
//           workers with the same calibration as the server, no HTTP, no database) at
//           concurrency 1 and 8;
//   server: identify over HTTP against a separate server process at concurrency 1 and 8, the image
//           base64 in the JSON body, or with `--upload file` as a multipart file part.
// The last stdout line is {"model","calibration","bareFaceMs","bareRps","p50Ms","p95Ms","rpsAt8",
// "efficiency","galleryFaces"}: each figure the median over rounds, efficiency = rpsAt8 / bareRps,
// calibration as the server reports it on /metrics.
// With `--galleries N [--gallery-faces F]` the tenant instead has N galleries of about F synthetic
// faces (each person in 1–3 galleries; bench/gallery-layout.ts), the real people are in the first
// gallery, and identify names it; a second tenant with one gallery of F synthetic faces plus the
// same real people is measured in the same rounds. The line then also has "galleries", "indexMb"
// (every gallery's index) against "singleIndexMb" (one index of the tenant's distinct faces), and
// "oneGalleryP50Ms" against "oneGalleryTenantP50Ms" (interleaved request by request) and their ratio,
// and the search of one gallery in its own index ("searchMs") against the one-index layout's
// search filtered to the gallery's members ("filteredSearchMs"), in this process.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config/index.js';
import { createModelRegistry } from '../src/embedding/index.js';
import { inferenceSettings } from '../src/inference/index.js';
import { cpuMs, cpuMsOf, threadCpuMs } from './support/proc-cpu.js';
import { startBenchServer } from './support/bench-server.js';
import { createGraphQLPoster, graphqlBody, multipartBody } from './support/graphql-poster.js';
import { createFaceAnalyzer, createVision, createWorkerAnalyzers } from '../src/vision/index.js';
import { analyze, createGalleries, measureLayouts, seedPeople, spreadOver } from './gallery-layout.js';

const { values: args } = parseArgs({
  options: {
    synthetic: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '60' },
    rounds: { type: 'string', default: '2' },
    model: { type: 'string', default: 'face-arcface-512' },
    'models-dir': { type: 'string', default: 'models' },
    /** Write V8 CPU profiles of the server (main thread and workers) into this folder. */
    profile: { type: 'string' },
    /** Extra node flags for the server process only, e.g. "--trace-gc" (NODE_OPTIONS refuses some). */
    'server-flags': { type: 'string' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    data: { type: 'string', default: path.resolve('../shared/datasets/faces-dev') },
    port: { type: 'string', default: '4391' },
    galleries: { type: 'string', default: '0' },
    /** How the client sends each probe: base64 in the JSON body, or the file as a multipart part. */
    upload: { type: 'string', default: 'base64' },
    'gallery-faces': { type: 'string', default: '1000' },
  },
});
if (args.upload !== 'base64' && args.upload !== 'file') throw new Error(`--upload is base64 or file, not ${args.upload}`);
const uploadFiles = args.upload === 'file';
const URL_BASE = `http://127.0.0.1:${args.port}`;
// /metrics has a listener of its own, on the next port.
const METRICS_PORT = String(Number(args.port) + 1);
const log = (msg: string) => process.stderr.write(`${msg}\n`);


function unitVector(dim: number): number[] {
  const v = Array.from({ length: dim }, () => Math.random() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

async function seedSynthetic(pool: pg.Pool, tenantId: string, count: number, model: string, galleryId: string) {
  const person = randomUUID();
  const session = randomUUID();
  await pool.query(`INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") VALUES ($1, $2, 'synthetic', now())`, [person, tenantId]);
  await pool.query(`INSERT INTO "GalleryMember" ("galleryId", "personId", "tenantId") VALUES ($1, $2, $3)`, [galleryId, person, tenantId]);
  await pool.query(`INSERT INTO "EnrollmentSession" (id, "tenantId", "personId", source, status, "updatedAt") VALUES ($1, $2, $3, 'IMPORT', 'COMPLETED', now())`, [session, tenantId, person]);
  for (let done = 0; done < count; done += 1000) {
    const vectors = Array.from({ length: Math.min(1000, count - done) }, () => `[${unitVector(512).join(',')}]`);
    await pool.query(
      `INSERT INTO "Face" ("tenantId", "personId", "sessionId", model, embedding, searchable, "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore")
       SELECT $1, $2, $3, $5, v::vector, true, 0, 0, 112, 112, 1 FROM unnest($4::text[]) AS v`,
      [tenantId, person, session, vectors, model],
    );
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** One measurement of a request function: serial latencies, then throughput with 8 in flight. */
async function measure(request: (i: number) => Promise<unknown>, n: number) {
  const serial: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await request(i);
    serial.push(performance.now() - started);
  }
  serial.sort((a, b) => a - b);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < n * 2) await request(next++);
  }));
  return { p50: percentile(serial, 0.5), p95: percentile(serial, 0.95), rpsAt8: (n * 2) / ((performance.now() - started) / 1000) };
}

/** The server's per-model tuning, read back from its /metrics. */
async function serverCalibration(): Promise<Record<string, string>> {
  const text = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`).then((r) => r.text());
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^visage_inference_tuning_run_ms\{model="([^"]+)",graph_level="([^"]+)",intra_op_threads="(\d+)",source="([^"]+)"\} ([\d.]+)/gm)) {
    out[m[1]!] = `${m[2]}/${m[3]}t (${m[4]}, ${m[5]} ms)`;
  }
  return out;
}

const STATEMENT_PROBES = 20;

/**
 * Database statements per identify, counted in the server process (bench/support/pg-statement-counter.ts)
 * over serial calls, with the server's background work (index sync, probes, jobs) over an idle
 * window of the same length taken off. Statements sent together on the pipelined counter connection
 * share one round trip.
 */
async function statementsPerIdentify(serverPid: number, file: string, identify: (i: number) => Promise<unknown>): Promise<number> {
  const count = async () => {
    process.kill(serverPid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 200));
    return Number(readFileSync(file, 'utf8'));
  };
  const before = await count();
  const started = performance.now();
  for (let i = 0; i < STATEMENT_PROBES; i++) await identify(i);
  const busyMs = performance.now() - started;
  const busy = await count();
  await new Promise((r) => setTimeout(r, busyMs));
  const idle = (await count()) - busy;
  return (busy - before - idle) / STATEMENT_PROBES;
}

async function main() {
  // Made now: the server writes its profiles there only as it exits, after the window file below.
  if (args.profile) mkdirSync(args.profile, { recursive: true });
  const profiling = args.profile ? ['--cpu-prof', '--cpu-prof-dir', args.profile] : [];
  const serverFlags = args['server-flags'] ? args['server-flags'].split(' ').filter(Boolean) : [];
  const statementsFile = path.join(tmpdir(), `visage-bench-${randomUUID()}.statements`);
  const server = await startBenchServer({
    databaseUrl: args['database-url']!,
    port: args.port!,
    nodeFlags: [...profiling, ...serverFlags, '--import', './bench/support/pg-statement-counter.ts'],
    env: { BENCH_PG_STATEMENTS_FILE: statementsFile, VISAGE_METRICS_PORT: METRICS_PORT },
  });
  const { pool } = server;
  const gql = server.gql;
  const ADMIN = server.admin;
  // On the server's maintenance database, so these reads are not among the backends measured.
  const admin = new pg.Client({ connectionString: args['database-url'] });
  await admin.connect();
  const dbName = server.databaseName;
  try {
    const newTenant = async (slug: string) => {
      const { createTenant } = await gql('mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id settings { defaultGalleryIds } } secret } }', { i: { name: slug, slug } }, ADMIN);
      await gql('mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) { id } }', { i: { model: args.model } }, createTenant.secret);
      return { id: createTenant.tenant.id as string, token: createTenant.secret as string, defaultGallery: createTenant.tenant.settings.defaultGalleryIds[0] as string };
    };
    const tenant = await newTenant('bench');
    const token = tenant.token;
    const galleryCount = Number(args.galleries);
    const facesEach = Number(args['gallery-faces']);
    let galleries: string[] = [];
    let solo: Awaited<ReturnType<typeof newTenant>> | null = null;
    if (galleryCount > 0) {
      galleries = await createGalleries(pool, tenant.id, galleryCount, 'site-');
      // Each person is in 2 galleries on average, so N·F/2 people give each gallery about F faces.
      await seedPeople(pool, tenant.id, args.model!, Math.round((galleryCount * facesEach) / 2), spreadOver(galleries));
      solo = await newTenant('bench-solo');
      await seedPeople(pool, solo.id, args.model!, facesEach, () => [solo!.defaultGallery]);
      await analyze(pool);
      log(`seeded ${galleryCount} galleries of ~${facesEach} faces, and a one-gallery tenant of ${facesEach}`);
    } else {
      await seedSynthetic(pool, tenant.id, Number(args.synthetic), args.model!, tenant.defaultGallery);
      log(`seeded ${args.synthetic} synthetic faces`);
    }

    const probes: string[] = [];
    const probeBytes: Buffer[] = [];
    let realFaces = 0;
    for (const name of readdirSync(args.data!).sort()) {
      const files = readdirSync(path.join(args.data!, name)).sort().map((f) => path.join(args.data!, name, f));
      if (files.length < 4) continue;
      const images = files.slice(0, 3).map((f) => ({ data: readFileSync(f).toString('base64'), filename: path.basename(f) }));
      // With galleries the real people are in the first one (and in the one-gallery tenant).
      const targets: { t: string; galleryIds?: string[] }[] = [{ t: token, ...(galleries.length > 0 ? { galleryIds: [galleries[0]!] } : {}) }, ...(solo ? [{ t: solo.token }] : [])];
      for (const { t, galleryIds } of targets) {
        const { createPerson } = await gql('mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }', { i: { displayName: name, ...(galleryIds ? { galleryIds } : {}) } }, t);
        const { enrollFaces } = await gql('mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { session { imagesAccepted } } }', { i: { personId: createPerson.id, images, largestFaceOnly: true } }, t);
        if (t === token) realFaces += enrollFaces.session.imagesAccepted;
      }
      probeBytes.push(...files.slice(3).map((f) => readFileSync(f)));
    }
    probes.push(...probeBytes.map((b) => b.toString('base64')));
    log(`enrolled ${realFaces} real faces; ${probes.length} probe photos`);

    // The bare pipeline, configured as the server is (same env, so same workers and calibration
    // cache, and the same analyzer: whole images in the pipeline workers, or in-thread with 0).
    const config = loadConfig(process.env);
    const session = inferenceSettings(config);
    const modelsDir = args['models-dir']!;
    const models = createModelRegistry({ modelsDir, ...session });
    const limits = { maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels, maxSide: config.decodeMaxSide };
    const detection = { minScore: config.minFaceScore, minFaceSize: config.minFaceSize };
    const analyzer =
      config.inferenceWorkers > 0
        ? createWorkerAnalyzers({ workers: config.inferenceWorkers, modelsDir, session, models, limits, detection }).analyze
        : createFaceAnalyzer({ vision: createVision({ modelsDir, ...session }), models, limits, detection });
    // A copy per call: the worker analyzer takes the buffer over, as the server's does its decoded body.
    const bare = (i: number) => analyzer(Buffer.from(probeBytes[i % probeBytes.length]!), { modelId: args.model! });
    for (let i = 0; i < 8; i++) await bare(i);

    // Each body serialised once: the client shares the cores with the server it measures.
    const poster = createGraphQLPoster(`${URL_BASE}/graphql`);
    const identifyAs = (t: string, galleryIds: string[] | undefined) => {
      const query = 'mutation($i: IdentifyInput!) { identify(input: $i) { faces { decision } } }';
      const variables = (image: Record<string, unknown>) => ({ i: { image, source: 'bench', ...(galleryIds ? { galleryIds } : {}) } });
      const bodies = uploadFiles
        ? probeBytes.map((bytes) => multipartBody(query, variables({ file: null }), [{ path: 'variables.i.image.file', bytes }]))
        : probes.map((data) => graphqlBody(query, variables({ data })));
      return async (i: number) => {
        const started = performance.now();
        await poster.post(bodies[i % bodies.length]!, t);
        return performance.now() - started;
      };
    };
    const identify = identifyAs(token, galleries.length > 0 ? [galleries[0]!] : undefined);
    const identifySolo = solo ? identifyAs(solo.token, undefined) : null;
    for (let i = 0; i < 8; i++) await identify(i);
    for (let i = 0; identifySolo && i < 8; i++) await identifySolo(i);

    const n = Number(args.requests);
    // The server's busy windows, on the clock V8 stamps profile samples with (CLOCK_MONOTONIC, µs),
    // so bench/support/cpu-profile-summary.ts can charge only the measured requests.
    const windows: [number, number][] = [];
    const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
    const rounds: { bare: Awaited<ReturnType<typeof measure>>; server: Awaited<ReturnType<typeof measure>>; pair: { gallery: number; solo: number } | null }[] = [];
    // CPU time per request, which a loaded machine does not inflate the way it does latency: this
    // process for the bare pipeline; for the server its main thread, the whole process, the
    // PostgreSQL backends serving its database, and this process as the HTTP client (all of them
    // share the same cores, so they set how far the server's throughput falls below the bare one).
    const cpu = { bare: 0, serverMain: 0, server: 0, postgres: 0, client: 0 };
    // Per thread, bare and server alike: where the server's CPU beyond the bare pipeline goes.
    // Node names nearly all its threads "node"; in creation order they are V8's platform threads
    // (GC and compilation for every isolate), libuv's pool, then the pipeline workers.
    const byThread = new Map<number, { name: string; ms: number }>();
    const bareByThread = new Map<number, { name: string; ms: number }>();
    const addThreads = (into: typeof byThread, before: typeof byThread, after: typeof byThread) => {
      for (const [tid, { name, ms }] of after) into.set(tid, { name, ms: (into.get(tid)?.ms ?? 0) + ms - (before.get(tid)?.ms ?? 0) });
    };
    const backends = async () => (await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName])).rows.map((r: { pid: number }) => r.pid);
    for (let r = 0; r < Number(args.rounds); r++) {
      const [bareCpu, bareThreads] = [process.cpuUsage(), threadCpuMs(process.pid)];
      const bareRun = await measure(bare, n);
      const bareUsed = process.cpuUsage(bareCpu);
      addThreads(bareByThread, bareThreads, threadCpuMs(process.pid));
      cpu.bare += (bareUsed.user + bareUsed.system) / 1000;
      const pgBefore = cpuMsOf(await backends());
      const [mainBefore, serverBefore, threadsBefore] = [cpuMs(server.pid, server.pid), cpuMs(server.pid), threadCpuMs(server.pid)];
      const clientCpu = process.cpuUsage();
      const from = monotonicUs();
      const serverRun = await measure(identify, n);
      windows.push([from, monotonicUs()]);
      const clientUsed = process.cpuUsage(clientCpu);
      cpu.client += (clientUsed.user + clientUsed.system) / 1000;
      cpu.serverMain += cpuMs(server.pid, server.pid) - mainBefore;
      cpu.server += cpuMs(server.pid) - serverBefore;
      addThreads(byThread, threadsBefore, threadCpuMs(server.pid));
      for (const [pid, after] of cpuMsOf(await backends())) cpu.postgres += after - (pgBefore.get(pid) ?? 0);
      // One gallery of many against a one-gallery tenant: request by request, so load drifts hit both alike.
      let pair: { gallery: number; solo: number } | null = null;
      if (identifySolo) {
        const times = { gallery: [] as number[], solo: [] as number[] };
        for (let i = 0; i < n; i++) {
          times.gallery.push(await identify(i));
          times.solo.push(await identifySolo(i));
        }
        pair = { gallery: median(times.gallery), solo: median(times.solo) };
        log(`round ${r + 1}: p50 against one gallery of ${galleryCount}: ${pair.gallery.toFixed(1)} ms; one-gallery tenant: ${pair.solo.toFixed(1)} ms`);
      }
      rounds.push({ bare: bareRun, server: serverRun, pair });
      log(`round ${r + 1}: bare p50 ${bareRun.p50.toFixed(1)} ms, p95 ${bareRun.p95.toFixed(1)} ms, ${bareRun.rpsAt8.toFixed(1)}/s; server p50 ${serverRun.p50.toFixed(1)} ms, p95 ${serverRun.p95.toFixed(1)} ms, ${serverRun.rpsAt8.toFixed(1)}/s`);
    }
    const perRequest = (ms: number) => (ms / (Number(args.rounds) * n * 3)).toFixed(1);
    log(`CPU per request: bare pipeline ${perRequest(cpu.bare)} ms (this process); server ${perRequest(cpu.server)} ms (main thread ${perRequest(cpu.serverMain)} ms) + PostgreSQL ${perRequest(cpu.postgres)} ms + this client ${perRequest(cpu.client)} ms (same cores)`);
    const threads = (m: typeof byThread) => [...m].sort((a, b) => a[0] - b[0]).filter(([, t]) => t.ms >= 1).map(([, t]) => `${t.name} ${perRequest(t.ms)}`).join(', ');
    log(`CPU per request by thread, in creation order: bare ${threads(bareByThread)} ms; server ${threads(byThread)} ms`);
    log(`database statements per identify: ${(await statementsPerIdentify(server.pid, statementsFile, identify)).toFixed(2)} (counted in the server, ${STATEMENT_PROBES} serial calls)`);
    const bareRps = median(rounds.map((r) => r.bare.rpsAt8));
    const rpsAt8 = median(rounds.map((r) => r.server.rpsAt8));
    const result = {
      model: args.model,
      ...(uploadFiles ? { upload: 'file' } : {}),
      calibration: await serverCalibration(),
      bareFaceMs: +median(rounds.map((r) => r.bare.p50)).toFixed(1),
      bareRps: +bareRps.toFixed(1),
      p50Ms: +median(rounds.map((r) => r.server.p50)).toFixed(1),
      p95Ms: +median(rounds.map((r) => r.server.p95)).toFixed(1),
      rpsAt8: +rpsAt8.toFixed(1),
      efficiency: +(rpsAt8 / bareRps).toFixed(2),
      galleryFaces: galleryCount > 0 ? facesEach + realFaces : Number(args.synthetic) + realFaces,
      ...(galleryCount > 0 ? await galleryFigures(rounds.map((r) => r.pair!.gallery), rounds.map((r) => r.pair!.solo)) : {}),
    };
    poster.close();
    if (args.profile) writeFileSync(path.join(args.profile, 'server-window.json'), JSON.stringify({ windows, requests: windows.length * n * 3 }));
    console.log(JSON.stringify(result));

    async function galleryFigures(p50s: number[], soloP50s: number[]) {
      const memory = await measureLayouts(pool, tenant.id, args.model!, galleries);
      const p50 = median(p50s);
      const soloP50 = median(soloP50s);
      return {
        galleries: galleryCount,
        ...memory,
        memoryRatio: +(memory.indexMb / memory.singleIndexMb).toFixed(2),
        filteredSearchRatio: +(memory.filteredSearchMs / memory.searchMs).toFixed(1),
        oneGalleryP50Ms: +p50.toFixed(1),
        oneGalleryTenantP50Ms: +soloP50.toFixed(1),
        p50VsOneGalleryTenant: +(p50 / soloP50).toFixed(2),
      };
    }
  } finally {
    await admin.end();
    await server.stop();
    rmSync(statementsFile, { force: true });
  }
}

await main();
