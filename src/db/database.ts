import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';
import { createPipelinedConnection, type PipelinedConnection } from './pipelined-connection.js';

/**
 * One handle for everything above the connection: Prisma for relational data, the `pg` pool for
 * vector SQL, and how changes reach other processes. Embedded and external databases differ only
 * inside this file.
 */
export interface Database {
  readonly mode: 'external' | 'embedded';
  /** Connection string of the served database (the loopback socket in embedded mode). */
  readonly url: string;
  readonly pool: pg.Pool;
  /**
   * One pipelined connection for rate-limit and quota counters, whose commits do not wait for the
   * WAL flush (synchronous_commit off): a PostgreSQL crash may lose the last fraction of a second
   * of counts, which costs nothing, while each counter write skips a flush. The counters a request
   * spends together travel in one round trip (pipelined-connection.ts). `pool` in embedded mode
   * (its counters live in memory anyway).
   */
  readonly counters: PipelinedConnection;
  readonly prisma: PrismaClient;
  /** True when PostgreSQL LISTEN/NOTIFY reaches other connections (not in PGlite). */
  readonly supportsListen: boolean;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** External PostgreSQL; undefined selects the embedded database. */
  url: string | undefined;
  /** Embedded database files live in `<dataDir>/pglite`. */
  dataDir: string;
  poolMax?: number;
  /** A connection attempt that takes longer fails (and counts as the database unreachable). */
  connectTimeoutMs?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url === undefined ? openEmbedded(options.dataDir) : openExternal(options.url, options.poolMax ?? 10, options.connectTimeoutMs ?? 5000);
}

function withPrisma(pool: pg.Pool): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}

async function openExternal(url: string, poolMax: number, connectTimeoutMs: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: connectTimeoutMs });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const prisma = withPrisma(pool);
  // Measured on this PostgreSQL: an upsert as the limiter writes it cost 0.08 ms of backend CPU and
  // 0.19-0.33 ms wall with the flush, 0.02 ms and 0.04-0.08 ms without.
  const counters = createPipelinedConnection({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, options: '-c synchronous_commit=off' });
  return {
    mode: 'external',
    url,
    pool,
    counters,
    prisma,
    supportsListen: true,
    async close() {
      await closeAll([() => prisma.$disconnect(), () => pool.end(), () => counters.end()]);
    },
  };
}

/**
 * PGlite is a single backend session behind its socket: with two connections, one's write can
 * land inside the other's open transaction and vanish on its rollback (measured, STACK.md). So
 * everything (Prisma and raw SQL) shares one pool of exactly one connection.
 */
async function openEmbedded(dataDir: string): Promise<Database> {
  const [{ PGlite }, { vector }, { PGLiteSocketServer }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-pgvector'),
    import('@electric-sql/pglite-socket'),
  ]);
  const dir = path.resolve(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir, { extensions: { vector } });
  // The pool holds one connection, but the server must accept a few: pg replaces a client that
  // saw an error by opening a new one before the server has finished closing the old socket.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  const pool = new pg.Pool({ connectionString: url, max: 1, idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  const prisma = withPrisma(pool);
  return {
    mode: 'embedded',
    url,
    pool,
    counters: pool,
    prisma,
    supportsListen: false,
    // Every step runs even if an earlier one fails (a pool already ended, say): a socket server
    // left open would keep the process alive.
    async close() {
      await closeAll([() => prisma.$disconnect(), () => pool.end(), () => server.stop(), () => db.close()]);
    },
  };
}

async function closeAll(steps: readonly (() => Promise<unknown>)[]): Promise<void> {
  const results = [];
  for (const step of steps) results.push(await step().then(() => undefined, (err: unknown) => err));
  const failed = results.find((r) => r !== undefined && !/end on pool more than once/i.test(String((r as Error).message)));
  if (failed) throw failed;
}
