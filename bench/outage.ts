// `npm run bench:outage [-- --outage-ms 10000 --interval-ms 200 --normal 30]`
// A server process on a PostgreSQL cluster of its own (test/support/own-postgres.ts; the shared
// server is never stopped), one identify every interval: first with the database up, then across a
// stop of `outage-ms`, then after the restart until every buffered event is stored. The last stdout
// line is {"sent","answered","degradedAnswers","eventsBuffered","eventsLost","eventsDuplicated",
// "recoveryMs","identifyP50DuringOutageMs","identifyP50NormalMs"}; recoveryMs is from PostgreSQL
// accepting connections again to the last buffered event being stored.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServer } from '../test/support/child-server.js';
import { startOwnPostgres } from '../test/support/own-postgres.js';
import { IDENTIFY, post, seedTenant, storedEvents, type Answer } from '../test/support/outage-client.js';

const { values: args } = parseArgs({
  options: {
    'outage-ms': { type: 'string', default: '10000' },
    'interval-ms': { type: 'string', default: '200' },
    normal: { type: 'string', default: '30' },
  },
});
const log = (msg: string) => process.stderr.write(`${msg}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

async function main() {
  const interval = Number(args['interval-ms']);
  const pg = await startOwnPostgres();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'visage-bench-outage-'));
  const server = await spawnServer({ DATABASE_URL: pg.url, VISAGE_DATA_DIR: dataDir });
  try {
    const tenant = await seedTenant(server.url);
    const token = (await tenant.createKey('CLIENT')).secret;
    const call = () => post(server.url, IDENTIFY, { input: { image: tenant.probe, source: 'bench' } }, token);
    for (let i = 0; i < 5; i++) await call();

    const answers: { phase: 'normal' | 'outage' | 'after'; answer: Answer }[] = [];
    let phase: 'normal' | 'outage' | 'after' = 'normal';
    let stopStream = false;
    const stream = (async () => {
      while (!stopStream) {
        const tick = sleep(interval);
        const current = phase;
        answers.push({ phase: current, answer: await call() });
        await tick;
      }
    })();
    while (answers.length < Number(args.normal)) await sleep(50);
    log('stopping PostgreSQL');
    await pg.stop();
    phase = 'outage';
    await sleep(Number(args['outage-ms']));
    await pg.start();
    const restartedAt = Date.now();
    phase = 'after';
    log('PostgreSQL started again');

    const buffered = () => answers.filter((a) => a.phase === 'outage' && a.answer.degraded).flatMap((a) => (a.answer.data?.identify.eventIds ?? []) as string[]);
    let recoveryMs = NaN;
    for (let waited = 0; waited < 30_000; waited = Date.now() - restartedAt) {
      if ((await storedEvents(pg.url, tenant.tenantId, buffered())).missing.length === 0) {
        recoveryMs = Date.now() - restartedAt;
        break;
      }
      await sleep(50);
    }
    await sleep(2000);
    stopStream = true;
    await stream;

    const all = answers.map((a) => a.answer);
    const ids = all.flatMap((a) => (a.data?.identify.eventIds ?? []) as string[]);
    const { missing, total } = await storedEvents(pg.url, tenant.tenantId, ids);
    const warmUpEvents = 5;
    const outageLatencies = answers.filter((a) => a.phase === 'outage' && a.answer.degraded).map((a) => a.answer.ms);
    const result = {
      sent: all.length,
      answered: all.filter((a) => a.status === 200 && a.errors === undefined).length,
      degradedAnswers: all.filter((a) => a.degraded).length,
      eventsBuffered: buffered().length,
      eventsLost: missing.length,
      eventsDuplicated: total - warmUpEvents - (ids.length - missing.length),
      recoveryMs,
      identifyP50DuringOutageMs: +median(outageLatencies).toFixed(1),
      identifyP50NormalMs: +median(answers.filter((a) => a.phase === 'normal').map((a) => a.answer.ms)).toFixed(1),
    };
    console.log(JSON.stringify(result));
  } finally {
    server.process.kill('SIGTERM');
    await server.exited;
    await pg.remove();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
