// `npm run bench:retention [-- --events 1000000 --days 400 --faces 100000 --rate 1 --database-url URL]`
// Fills a tenant with N recognition events spread over D days (generate_series, in SQL), then runs
// the retention purge (default 90 days) while identify runs at a steady rate against a separate
// server process, compared with the same rate while idle. Then deletes a second tenant holding
// `faces` faces and N events through deleteTenant and waits for DELETED. The last stdout line is
// {"purgedEvents","purgeMs","identifyP95IdleMs","identifyP95DuringPurgeMs","tenantDeleteMs"}.
// The purge runs in this process with the server's code (purgeRetention), so the server's CPU
// serves only identify; the database, which both share, is what the purge loads.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startBenchServer, type BenchServer } from './support/bench-server.js';
import { retentionRepository } from '../src/db/retention-repository.js';
import { purgeRetention } from '../src/lifecycle/retention-purge.js';
import { batchPace } from '../src/lifecycle/batch-pace.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '400' },
    faces: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '1', description: 'identify requests per second (well under capacity, so latency is not queueing)' },
    'idle-requests': { type: 'string', default: '40' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    data: { type: 'string', default: path.resolve('../shared/datasets/faces-dev') },
    port: { type: 'string', default: '4392' },
  },
});
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createTenant({ gql, admin: ADMIN }: BenchServer, slug: string): Promise<{ id: string; token: string }> {
  const { createTenant: t } = await gql('mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } secret } }', { i: { name: slug, slug } }, ADMIN);
  return { id: t.tenant.id, token: t.secret };
}

/** N events evenly spread over the last D days, 100k rows per statement. */
async function fillEvents(pool: pg.Pool, tenantId: string, count: number, days: number) {
  for (let done = 0; done < count; done += 100_000) {
    await pool.query(
      `INSERT INTO "RecognitionEvent" (id, "tenantId", decision, k1, k2, threshold, model, source, "latencyMs", "createdAt")
       SELECT gen_random_uuid(), $1, 'UNKNOWN', 1, 3, 1.05, 'face-arcface-512', 'bench', 5, now() - (g * ($4::float8 * 86400 / $3)) * interval '1 second'
         FROM generate_series($2::int + 1, LEAST($2::int + 100000, $3::int)) g`,
      [tenantId, done, count, days],
    );
  }
}

/** Faces with random 512-d vectors (deletion does not care what they encode). */
async function fillFaces(pool: pg.Pool, tenantId: string, count: number) {
  const person = randomUUID();
  const session = randomUUID();
  await pool.query(`INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") VALUES ($1, $2, 'synthetic', now())`, [person, tenantId]);
  await pool.query(`INSERT INTO "EnrollmentSession" (id, "tenantId", "personId", source, status, "updatedAt") VALUES ($1, $2, $3, 'IMPORT', 'COMPLETED', now())`, [session, tenantId, person]);
  for (let done = 0; done < count; done += 10_000) {
    await pool.query(
      `INSERT INTO "Face" ("tenantId", "personId", "sessionId", model, embedding, searchable, "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore")
       SELECT $1, $2, $3, 'face-arcface-512', (SELECT array_agg(random()::real - 0.5) FROM generate_series(1, 512 + g * 0))::vector, true, 0, 0, 112, 112, 1
         FROM generate_series(1, LEAST(10000, $4::int - $5::int)) g`,
      [tenantId, person, session, count, done],
    );
  }
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return +sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]!.toFixed(1);
}

/** Open-loop identify at `rate`/s until `until()` says stop (or `count` requests were sent). */
async function steadyIdentify(identify: (i: number) => Promise<number>, rate: number, stop: { until?: () => boolean; count?: number }): Promise<number[]> {
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; stop.count === undefined ? !stop.until!() : i < stop.count; i++) {
    inFlight.push(identify(i).then((ms) => void latencies.push(ms)));
    const nextAt = started + ((i + 1) * 1000) / rate;
    await sleep(Math.max(0, nextAt - performance.now()));
  }
  await Promise.all(inFlight);
  return latencies;
}

async function main() {
  // The scheduled purge must not run on its own during the measurement.
  const bench = await startBenchServer({ databaseUrl: args['database-url']!, port: args.port!, env: { VISAGE_RETENTION_CRON: '0 0 1 1 *' } });
  const { pool, gql, admin: ADMIN } = bench;
  try {
    const events = Number(args.events);
    const tenant = await createTenant(bench, 'bench-retention');
    const people = readdirSync(args.data!).sort().map((name) => ({ name, files: readdirSync(path.join(args.data!, name)).sort().map((f) => path.join(args.data!, name, f)) }));
    const { name, files } = people.find((p) => p.files.length >= 4)!;
    const { createPerson } = await gql('mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }', { i: { displayName: name } }, tenant.token);
    const images = files.slice(0, 3).map((f) => ({ data: readFileSync(f).toString('base64') }));
    await gql('mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { session { imagesAccepted } } }', { i: { personId: createPerson.id, images, largestFaceOnly: true } }, tenant.token);
    const probe = readFileSync(files[3]!).toString('base64');
    const identify = async () => {
      const started = performance.now();
      await gql('mutation($i: IdentifyInput!) { identify(input: $i) { faces { decision } } }', { i: { image: { data: probe }, source: 'bench' } }, tenant.token);
      return performance.now() - started;
    };

    let t = performance.now();
    await fillEvents(pool, tenant.id, events, Number(args.days));
    await pool.query('VACUUM ANALYZE "RecognitionEvent"');
    log(`filled ${events} events over ${args.days} days in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    for (let i = 0; i < 10; i++) await identify();
    const rate = Number(args.rate);
    const idle = await steadyIdentify(identify, rate, { count: Number(args['idle-requests']) });
    log(`idle: ${idle.length} identify at ${rate}/s, p95 ${p95(idle)} ms`);

    let purging = true;
    const during = steadyIdentify(identify, rate, { until: () => !purging });
    t = performance.now();
    // The server's batch size and pace (src/lifecycle/lifecycle-runtime.ts).
    const purged = await purgeRetention(retentionRepository(pool), new Date(), { batchSize: 5000, pause: batchPace() });
    const purgeMs = performance.now() - t;
    purging = false;
    const duringPurge = await during;
    log(`purged ${purged.events} events in ${(purgeMs / 1000).toFixed(1)} s; ${duringPurge.length} identify during it, p95 ${p95(duringPurge)} ms`);

    const doomed = await createTenant(bench, 'bench-delete');
    t = performance.now();
    await fillFaces(pool, doomed.id, Number(args.faces));
    await fillEvents(pool, doomed.id, events, Number(args.days));
    log(`filled the tenant to delete with ${args.faces} faces and ${events} events in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    await gql('mutation($i: DeleteTenantInput!) { deleteTenant(input: $i) { status } }', { i: { id: doomed.id, confirmSlug: 'bench-delete' } }, ADMIN);
    for (;;) {
      const { tenant: state } = await gql('query($id: ID!) { tenant(id: $id) { status } }', { id: doomed.id }, ADMIN);
      if (state.status === 'DELETED') break;
      await sleep(250);
    }
    const tenantDeleteMs = performance.now() - t;
    log(`deleted the tenant in ${(tenantDeleteMs / 1000).toFixed(1)} s`);

    console.log(JSON.stringify({
      purgedEvents: purged.events,
      purgeMs: Math.round(purgeMs),
      identifyP95IdleMs: p95(idle),
      identifyP95DuringPurgeMs: p95(duringPurge),
      tenantDeleteMs: Math.round(tenantDeleteMs),
    }));
  } finally {
    await bench.stop();
  }
}

await main();
