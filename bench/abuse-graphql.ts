// `npm run bench:abuse-graphql`: the GraphQL and engine rows of issue 11 against a separate server
// process (PostgreSQL, real models). Measures /healthz while a 24-level nested-fragment document is
// sent with no key, and the server's resident memory while 25 clients upload a 6000×6600 JPEG at
// once. The last stdout line is one JSON object; latencies are upper bounds on a shared machine.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { spawnServer } from '../test/support/child-server.js';
import { createServerDatabase } from '../test/support/test-database.js';
import { ADMIN_TOKEN } from '../test/support/test-server.js';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

const percentile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

async function main() {
  const db = await createServerDatabase();
  const server = await spawnServer({ DATABASE_URL: db.url, VISAGE_LOG_LEVEL: 'error' });
  const pid = server.process.pid!;
  const post = (body: string, token?: string) =>
    fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
  const healthz = async () => {
    const t = performance.now();
    await (await fetch(`${server.url}/healthz`)).text();
    return performance.now() - t;
  };
  /** /healthz latencies sampled every 10 ms while `work` runs. */
  const during = async (work: () => Promise<unknown>) => {
    const samples: number[] = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        samples.push(await healthz());
        await sleep(10);
      }
    })();
    const t = performance.now();
    await work();
    const ms = performance.now() - t;
    done = true;
    await poll;
    return { samples, ms };
  };

  try {
    const created = (await (await post(JSON.stringify({ query: 'mutation { createTenant(input: {name: "bench", slug: "bench"}) { secret } }' }), ADMIN_TOKEN)).json()) as { data: { createTenant: { secret: string } } };
    const token = created.data.createTenant.secret;

    const idle: number[] = [];
    for (let i = 0; i < 30; i++) idle.push(await healthz());

    const levels = 24;
    const defs = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    const fragmentDoc = JSON.stringify({ query: `query { ...F0 } ${defs.join(' ')} fragment F${levels} on Query { viewer { role } }` });
    let fragmentStatus = 0;
    const fragment = await during(async () => {
      for (let i = 0; i < 20; i++) fragmentStatus = (await post(fragmentDoc)).status;
    });
    log(`fragment attack: 20 documents in ${fragment.ms.toFixed(0)} ms, status ${fragmentStatus}`);

    const jpeg = await sharp({ create: { width: 6000, height: 6600, channels: 3, background: { r: 120, g: 90, b: 60 } } }).jpeg({ quality: 80 }).toBuffer();
    const identify = JSON.stringify({ query: 'mutation($i: IdentifyInput!) { identify(input: $i) { eventIds } }', variables: { i: { image: { data: jpeg.toString('base64') } } } });
    await post(identify, token); // models and the tenant's index loaded before measuring
    await sleep(500);
    const rssIdle = rssMb(pid);
    let rssPeak = rssIdle;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 20);
    const statuses: number[] = [];
    const big = await during(() => Promise.all(Array.from({ length: 25 }, async () => statuses.push((await post(identify, token)).status))));
    clearInterval(sampler);
    log(`25 uploads of a ${jpeg.length}-byte 6000×6600 JPEG: ${statuses.filter((s) => s === 200).length} answered, ${statuses.filter((s) => s === 503).length} SERVER_BUSY, in ${big.ms.toFixed(0)} ms`);

    console.log(
      JSON.stringify({
        healthzIdleP50Ms: Math.round(percentile(idle, 0.5)),
        healthzIdleMaxMs: Math.round(Math.max(...idle)),
        fragmentAttackHealthzMs: Math.round(Math.max(...fragment.samples)),
        fragmentAttackMsPerDocument: Math.round(fragment.ms / 20),
        bigImagesPeakRssMb: Math.round(rssPeak - rssIdle),
        bigImagesAnswered: statuses.filter((s) => s === 200).length,
        bigImagesBusy: statuses.filter((s) => s === 503).length,
        bigImagesOther: statuses.filter((s) => s !== 200 && s !== 503).length,
        bigImagesHealthzP99Ms: Math.round(percentile(big.samples, 0.99)),
      }),
    );
  } finally {
    server.process.kill('SIGTERM');
    await server.exited;
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
