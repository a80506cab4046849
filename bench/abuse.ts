// `npm run bench:abuse [-- --big-images 25 --flood 40 --identifies 10]`
// Starts a server process on a fresh PostgreSQL database and replays issue 11's hostile traffic
// against it, measuring the server process (its RSS from /proc) and /healthz while each attack
// runs. Details go to stderr; the last stdout line is
// {"fragmentAttackHealthzMs","bigImagesPeakRssMb","invalidKeyBodiesPeakRssMb","healthzP99UnderLoadMs",
//  "identifyP50UnderAuthFloodMs","identifyP50IdleMs","rateLimitedShare"}.
// RSS figures are the peak above the idle process; latencies are upper bounds on a shared machine.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { spawnServer, type ChildServer } from '../test/support/child-server.js';
import { createServerDatabase } from '../test/support/test-database.js';
import { ADMIN_TOKEN } from '../test/support/test-server.js';
import { percentile, rawPost, sampleHealthz } from '../test/support/raw-http.js';

const { values: args } = parseArgs({
  options: {
    'big-images': { type: 'string', default: '25' },
    flood: { type: 'string', default: '40' },
    identifies: { type: 'string', default: '10' },
    data: { type: 'string', default: path.resolve('../shared/datasets/faces-dev') },
  },
});
const MB = 1024 * 1024;
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const round = (n: number) => Math.round(n * 10) / 10;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Peak RSS of the server above `baseline` while `work` runs, sampled every 10 ms. */
async function peakRssDuring<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  const baseline = rssOf(pid);
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 10);
  try {
    return { result: await work(), peakMb: round((peak - baseline) / MB) };
  } finally {
    clearInterval(timer);
  }
}

async function healthzDuring<T>(url: string, work: () => Promise<T>): Promise<{ result: T; samples: number[] }> {
  const sampler = sampleHealthz(url, 10);
  const result = await work();
  return { result, samples: await sampler.stop() };
}

function client(url: string) {
  return async function gql(query: string, variables: Record<string, unknown>, token?: string, localAddress?: string) {
    const res = await rawPost(url, { body: JSON.stringify({ query, variables }), headers: token ? { authorization: `Bearer ${token}` } : {}, localAddress });
    return { status: res.status, ...(JSON.parse(res.body) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] }) };
  };
}

/** `fragment F0 on Query { ...F1 ...F1 }` … each level spreads the next twice (issue 11, row 1). */
function fragmentBomb(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { viewer { role } }`;
}

function photos(dir: string): string[][] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => readdirSync(path.join(dir, name)).sort().map((f) => path.join(dir, name, f)))
    .filter((files) => files.length >= 4);
}

async function main() {
  const database = await createServerDatabase();
  let server: ChildServer | undefined;
  try {
    server = await spawnServer({ DATABASE_URL: database.url, VISAGE_LOG_LEVEL: 'error' });
    const pid = server.process.pid!;
    const gql = client(server.url);
    const created = await gql('mutation { createTenant(input: {name: "bench", slug: "bench"}) { tenant { id } secret } }', {}, ADMIN_TOKEN);
    const tenant = created.data.createTenant as { tenant: { id: string }; secret: string };
    const keyOf = async (role: string) => (await gql(`mutation { createApiKey(input: {name: "${role}", role: ${role}}) { secret } }`, {}, tenant.secret)).data.createApiKey.secret as string;
    const clientKey = await keyOf('CLIENT');
    const viewerKey = await keyOf('VIEWER');

    const people = photos(args.data!).slice(0, 3);
    for (const files of people) {
      const person = await gql('mutation { createPerson(input: {displayName: "p"}) { id } }', {}, tenant.secret);
      const images = files.slice(0, 3).map((f) => ({ data: readFileSync(f).toString('base64') }));
      await gql('mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { session { id } } }', { i: { personId: person.data.createPerson.id, images, largestFaceOnly: true } }, tenant.secret);
    }
    const probeFile = people[0]?.[3];
    const probe = probeFile
      ? readFileSync(probeFile).toString('base64')
      : (await sharp({ create: { width: 640, height: 480, channels: 3, background: '#777' } }).jpeg().toBuffer()).toString('base64');
    const identify = async (token: string, data: string) => {
      const started = performance.now();
      const res = await gql('mutation($i: IdentifyInput!) { identify(input: $i) { faces { decision } } }', { i: { image: { data }, source: 'bench' } }, token);
      return { ms: performance.now() - started, status: res.status, code: res.errors?.[0]?.extensions?.code };
    };
    const identifies = Number(args.identifies);
    for (let i = 0; i < 3; i++) await identify(clientKey, probe);

    // Idle identify.
    const idle: number[] = [];
    for (let i = 0; i < identifies; i++) idle.push((await identify(clientKey, probe)).ms);
    const identifyP50IdleMs = round(percentile(idle, 50));
    log(`identify idle p50 ${identifyP50IdleMs} ms`);

    // Row 1: the fragment attack, without a key and with a valid VIEWER key.
    const bomb = fragmentBomb(20);
    const anonymous = await healthzDuring(server.url, () => gql(bomb, {}));
    if (server.process.exitCode !== null) throw new Error(`server exited:\n${server.output()}`);
    log(`fragment attack without a key: HTTP ${anonymous.result.status}, /healthz max ${round(Math.max(...anonymous.samples))} ms`);
    const keyed = await healthzDuring(server.url, () => gql(bomb, {}, viewerKey).catch((err: Error) => ({ status: 0, errors: [{ message: err.message, extensions: { code: `request failed: ${err.message}` } }] })));
    const fragmentAttackHealthzMs = round(Math.max(...keyed.samples));
    log(`fragment attack with a VIEWER key: ${keyed.result.errors?.[0]?.extensions?.code ?? 'ok'}, /healthz max ${fragmentAttackHealthzMs} ms`);

    // Row 3: five 90 MB bodies with an invalid key.
    const bodies = await peakRssDuring(pid, () =>
      Promise.all(Array.from({ length: 5 }, (_, i) => rawPost(server!.url, { streamBytes: 90 * MB, headers: { authorization: `Bearer vsk_${'0'.repeat(11)}${i}_${'A'.repeat(43)}` }, localAddress: '127.0.0.3' }))),
    );
    const invalidKeyBodiesPeakRssMb = bodies.peakMb;
    log(`5 × 90 MB invalid-key bodies: answers ${JSON.stringify(Object.fromEntries([...new Set(bodies.result.map((r) => r.error ?? r.status))].map((k) => [k, bodies.result.filter((r) => (r.error ?? r.status) === k).length])))}, ${round(bodies.result.reduce((s, r) => s + r.bytesSent, 0) / MB)} MB sent before the answers, RSS +${invalidKeyBodiesPeakRssMb} MB`);

    // Row 5: each identify runs alongside 40 concurrent requests with the same key's prefix and a
    // wrong secret, sent from another loopback address (the flood).
    const wrong = `${clientKey.slice(0, 'vsk_'.length + 13)}${'B'.repeat(43)}`;
    const floodStatuses: number[] = [];
    const underFlood: number[] = [];
    for (let i = 0; i < identifies; i++) {
      const wave = Promise.all(Array.from({ length: Number(args.flood) }, () => gql('{ viewer { role } }', {}, wrong, '127.0.0.2')));
      underFlood.push((await identify(clientKey, probe)).ms);
      floodStatuses.push(...(await wave).map((r) => r.status));
    }
    const identifyP50UnderAuthFloodMs = round(percentile(underFlood, 50));
    log(`identify under a wrong-secret flood p50 ${identifyP50UnderAuthFloodMs} ms (${floodStatuses.length} flood requests: ${floodStatuses.filter((s) => s === 401).length} × 401, ${floodStatuses.filter((s) => s === 429).length} × 429)`);

    // Rate limits: a second tenant allowed 10 requests per second per key sends 100 as fast as it can.
    const other = await gql('mutation { createTenant(input: {name: "bench-limited", slug: "bench-limited"}) { tenant { id } secret } }', {}, ADMIN_TOKEN);
    await gql('mutation($i: UpdateTenantLimitsInput!) { updateTenantLimits(input: $i) { requestsPerSecondPerKey } }', { i: { tenantId: other.data.createTenant.tenant.id, requestsPerSecondPerKey: 10 } }, ADMIN_TOKEN);
    const statuses: number[] = [];
    let sent = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (sent++ < 100) statuses.push((await gql('{ viewer { role } }', {}, other.data.createTenant.secret)).status);
    }));
    const rateLimitedShare = round((statuses.filter((s) => s === 429).length / statuses.length) * 1000) / 1000;
    log(`rate limit 10/s per key, 100 requests: ${statuses.filter((s) => s === 200).length} served, ${statuses.filter((s) => s === 429).length} × 429`);

    // Row 2: concurrent 40 MP uploads (a photo scaled to 6000 × 6600), one CLIENT key.
    const big = (await sharp(probeFile ? readFileSync(probeFile) : Buffer.from(probe, 'base64')).resize(6000, 6600, { fit: 'fill' }).jpeg({ quality: 70 }).toBuffer()).toString('base64');
    log(`big image: ${round((big.length * 3) / 4 / MB)} MB JPEG, 6000 × 6600`);
    const load = await peakRssDuring(pid, () => healthzDuring(server!.url, () => Promise.all(Array.from({ length: Number(args['big-images']) }, () => identify(clientKey, big)))));
    const outcomes = load.result.result.map((r) => (r.status === 200 && !r.code ? 'answered' : `${r.status} ${r.code}`));
    const bigImagesPeakRssMb = load.peakMb;
    const healthzP99UnderLoadMs = round(percentile(load.result.samples, 99));
    log(`${args['big-images']} concurrent 40 MP identifies: RSS +${bigImagesPeakRssMb} MB; ${JSON.stringify(Object.fromEntries([...new Set(outcomes)].map((o) => [o, outcomes.filter((x) => x === o).length])))}; /healthz p99 ${healthzP99UnderLoadMs} ms`);

    console.log(JSON.stringify({ fragmentAttackHealthzMs, bigImagesPeakRssMb, invalidKeyBodiesPeakRssMb, healthzP99UnderLoadMs, identifyP50UnderAuthFloodMs, identifyP50IdleMs, rateLimitedShare }));
  } finally {
    if (server) {
      server.process.kill('SIGTERM');
      await server.exited;
    }
    await database.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:abuse failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
