import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrate } from '../../src/db/index.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const BIN = process.env.VISAGE_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of the test's own, on a free loopback port, that the test may stop and
 * start: the shared server on 5432 must never be stopped. pgvector is installed into the system
 * PostgreSQL 15 by `scripts/setup.sh --test`, so `CREATE EXTENSION vector` works here too.
 * initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
export interface OwnPostgres {
  /** DATABASE_URL of a migrated database in the cluster. */
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster (if running) and deletes its files. */
  remove(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = await mkdtemp(path.join(tmpdir(), 'visage-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pgRun = (bin: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, bin), ...args]) : run(path.join(BIN, bin), args));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  await pgRun('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // fsync off: the test exercises an unreachable server, not a crashed disk.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  let running = false;
  const start = async () => {
    await pgRun('pg_ctl', ['start', '-w', '-t', '60', '-D', dataDir, '-l', path.join(dir, 'log'), '-o', options]);
    running = true;
  };
  const stop = async () => {
    // fast: open sessions are terminated, as in a restart for a minor upgrade or a failover.
    await pgRun('pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', dataDir]);
    running = false;
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return {
    url,
    start,
    stop,
    async remove() {
      if (running) await stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
