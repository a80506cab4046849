import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/db/index.js';
import { SERVER_NODE_FLAGS } from '../../src/server-node-flags.js';

export interface BenchServer {
  /** The platform admin token of the server. */
  admin: string;
  /** A pool on the scratch database, for seeding under the API. */
  pool: pg.Pool;
  /** The server process, for /proc readings and signals. */
  pid: number;
  /** The scratch database's name (its backends in pg_stat_activity). */
  databaseName: string;
  gql(query: string, variables: Record<string, unknown>, token: string): Promise<any>;
  stop(): Promise<void>;
}

/**
 * A scratch database on `databaseUrl`'s server, migrated, and `npm start`'s entry point as a
 * separate process on it (so the client's work never shares the server's event loop).
 * `stop` ends the process and drops the database; so does SIGINT or SIGTERM to the bench.
 */
export async function startBenchServer(options: { databaseUrl: string; port: string; env?: Record<string, string>; /** After tsx's loader, so `--import ./x.ts` works; e.g. --cpu-prof, which NODE_OPTIONS refuses. */ nodeFlags?: string[] }): Promise<BenchServer> {
  const admin = `bench-admin-${randomUUID()}`;
  const base = `http://127.0.0.1:${options.port}`;
  // The machine is shared: another server on the port would answer /readyz in our child's place.
  if (await fetch(`${base}/readyz`).then(() => true, () => false)) throw new Error(`port ${options.port} is in use; pass --port`);
  const dbName = `visage_bench_${randomUUID().replaceAll('-', '')}`;
  const root = new pg.Client({ connectionString: options.databaseUrl });
  await root.connect();
  await root.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(options.databaseUrl);
  dbUrl.pathname = `/${dbName}`;
  const pool = new pg.Pool({ connectionString: dbUrl.toString(), max: 2 });
  await migrate(pool);
  const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', ...(options.nodeFlags ?? []), 'src/main.ts'], {
    env: { ...process.env, DATABASE_URL: dbUrl.toString(), PORT: options.port, HOST: '127.0.0.1', VISAGE_ADMIN_TOKEN: admin, VISAGE_KEY_HASH_SECRET: 'bench-key-hash-secret-0123456789abcdef', VISAGE_METRICS_PORT: '0', VISAGE_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
      await pool.end();
      await root.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await root.end();
    })());
  // A bench stopped with Ctrl-C would otherwise leave its server running and its database behind.
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping the bench server and dropping ${dbName}\n`);
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  return {
    admin,
    pool,
    pid: server.pid!,
    databaseName: dbName,
    async gql(query, variables, token) {
      const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    },
    stop,
  };
}
