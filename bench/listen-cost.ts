// `npm run bench:listen-cost [-- --notices 3000 --rounds 3 --database-url URL]`
// What a NOTIFY costs PostgreSQL with one LISTEN connection against three (one per feed, as each
// server process held before they shared one): the same notices are sent with 1 and with 3 idle
// listeners on the database, alternated over rounds, and the CPU of every backend of the database
// (the sender's and the listeners', from /proc) is divided by the notices. Each identify's insert
// announces its event this way, so the difference is per identify, per replica.
// Last stdout line: {"oneListenerUs","threeListenersUs","savedUsPerNotice"} (medians).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cpuMsOf } from './support/proc-cpu.js';

const { values: args } = parseArgs({
  options: {
    notices: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '3' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const CHANNEL = 'visage_recognition_events';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main() {
  const root = new pg.Client({ connectionString: args['database-url'] });
  await root.connect();
  const name = `visage_listen_bench_${randomUUID().replaceAll('-', '')}`;
  await root.query(`CREATE DATABASE ${name}`);
  const url = new URL(args['database-url']!);
  url.pathname = `/${name}`;
  const connect = async () => {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return client;
  };
  try {
    const sender = await connect();
    const listeners = [await connect(), await connect(), await connect()];
    // Like the feeds: one listens on the channel the insert announces on, the others on their own.
    await listeners[0]!.query(`LISTEN ${CHANNEL}`);
    const payload = JSON.stringify({ tenantId: randomUUID(), ids: [randomUUID()] });
    const perNotice = async (listening: number): Promise<number> => {
      await listeners[1]!.query(listening === 3 ? 'LISTEN visage_read_cache' : 'UNLISTEN *');
      await listeners[2]!.query(listening === 3 ? 'LISTEN visage_face_changes' : 'UNLISTEN *');
      const pids = (await root.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows.map((r: { pid: number }) => r.pid);
      const before = cpuMsOf(pids);
      const n = Number(args.notices);
      for (let i = 0; i < n; i++) await sender.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
      // Let the listeners' backends drain the queue before reading their CPU.
      await new Promise((r) => setTimeout(r, 300));
      let ms = 0;
      for (const [pid, after] of cpuMsOf(pids)) ms += after - (before.get(pid) ?? 0);
      return (ms * 1000) / n;
    };
    const one: number[] = [];
    const three: number[] = [];
    await perNotice(1);
    for (let r = 0; r < Number(args.rounds); r++) {
      one.push(await perNotice(1));
      three.push(await perNotice(3));
      process.stderr.write(`round ${r + 1}: ${one.at(-1)!.toFixed(0)} µs per notice with 1 listener, ${three.at(-1)!.toFixed(0)} µs with 3\n`);
    }
    for (const c of [sender, ...listeners]) await c.end();
    const result = { oneListenerUs: Math.round(median(one)), threeListenersUs: Math.round(median(three)), savedUsPerNotice: Math.round(median(three) - median(one)) };
    console.log(JSON.stringify(result));
  } finally {
    await root.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await root.end();
  }
}

await main();
