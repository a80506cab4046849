// `npm run bench:identify [-- --synthetic 10000 --requests 60 --database-url URL]`
// Seeds a tenant with N synthetic unit vectors plus real enrolled faces, then drives identify over
// HTTP against a separate server process at concurrency 1 and 8. The last stdout line is
// {"p50Ms","p95Ms","rpsAt8","galleryFaces"}. Medians are over the measured run, after warm-up.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startBenchServer } from './support/bench-server.js';

const { values: args } = parseArgs({
  options: {
    synthetic: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '60' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    data: { type: 'string', default: path.resolve('../shared/datasets/faces-dev') },
    port: { type: 'string', default: '4391' },
  },
});
const log = (msg: string) => process.stderr.write(`${msg}\n`);

function unitVector(dim: number): number[] {
  const v = Array.from({ length: dim }, () => Math.random() * 2 - 1);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

async function seedSynthetic(pool: pg.Pool, tenantId: string, count: number) {
  const person = randomUUID();
  const session = randomUUID();
  await pool.query(`INSERT INTO "Person" (id, "tenantId", "displayName", "updatedAt") VALUES ($1, $2, 'synthetic', now())`, [person, tenantId]);
  await pool.query(`INSERT INTO "EnrollmentSession" (id, "tenantId", "personId", source, status, "updatedAt") VALUES ($1, $2, $3, 'IMPORT', 'COMPLETED', now())`, [session, tenantId, person]);
  for (let done = 0; done < count; done += 1000) {
    const vectors = Array.from({ length: Math.min(1000, count - done) }, () => `[${unitVector(512).join(',')}]`);
    await pool.query(
      `INSERT INTO "Face" ("tenantId", "personId", "sessionId", model, embedding, searchable, "boxX", "boxY", "boxWidth", "boxHeight", "detectionScore")
       SELECT $1, $2, $3, 'face-arcface-512', v::vector, true, 0, 0, 112, 112, 1 FROM unnest($4::text[]) AS v`,
      [tenantId, person, session, vectors],
    );
  }
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main() {
  const bench = await startBenchServer({ databaseUrl: args['database-url']!, port: args.port! });
  const { pool, gql, admin: ADMIN } = bench;
  try {
    const { createTenant } = await gql('mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } secret } }', { i: { name: 'bench', slug: 'bench' } }, ADMIN);
    const token: string = createTenant.secret;
    await seedSynthetic(pool, createTenant.tenant.id, Number(args.synthetic));
    log(`seeded ${args.synthetic} synthetic faces`);

    const probes: string[] = [];
    let realFaces = 0;
    for (const name of readdirSync(args.data!).sort()) {
      const files = readdirSync(path.join(args.data!, name)).sort().map((f) => path.join(args.data!, name, f));
      if (files.length < 4) continue;
      const { createPerson } = await gql('mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }', { i: { displayName: name } }, token);
      const images = files.slice(0, 3).map((f) => ({ data: readFileSync(f).toString('base64'), filename: path.basename(f) }));
      const { enrollFaces } = await gql('mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { session { imagesAccepted } } }', { i: { personId: createPerson.id, images, largestFaceOnly: true } }, token);
      realFaces += enrollFaces.session.imagesAccepted;
      probes.push(...files.slice(3).map((f) => readFileSync(f).toString('base64')));
    }
    log(`enrolled ${realFaces} real faces; ${probes.length} probe photos`);

    const identify = async (i: number) => {
      const started = performance.now();
      await gql('mutation($i: IdentifyInput!) { identify(input: $i) { faces { decision } } }', { i: { image: { data: probes[i % probes.length] }, source: 'bench' } }, token);
      return performance.now() - started;
    };
    for (let i = 0; i < 8; i++) await identify(i);

    const n = Number(args.requests);
    const serial: number[] = [];
    for (let i = 0; i < n; i++) serial.push(await identify(i));
    serial.sort((a, b) => a - b);

    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < n * 2) await identify(next++);
    }));
    const rpsAt8 = (n * 2) / ((performance.now() - started) / 1000);
    const result = { p50Ms: +percentile(serial, 0.5).toFixed(1), p95Ms: +percentile(serial, 0.95).toFixed(1), rpsAt8: +rpsAt8.toFixed(1), galleryFaces: Number(args.synthetic) + realFaces };
    console.log(JSON.stringify(result));
  } finally {
    await bench.stop();
  }
}

await main();
