import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate, openDatabase, type Database } from '../../src/db/index.js';

/**
 * A fresh, migrated database per test file. By default a new database on the local
 * PostgreSQL (`VISAGE_TEST_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/postgres);
 * with `VISAGE_TEST_DB=embedded` an embedded PGlite in a temporary folder instead.
 */
export const TEST_SERVER_URL = process.env.VISAGE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_EMBEDDED = process.env.VISAGE_TEST_DB === 'embedded';

export interface TestDatabase {
  /** DATABASE_URL for a server under test; undefined in embedded mode (pass `dataDir`). */
  url: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

/** One statement on the server's maintenance database (CREATE / DROP DATABASE). */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, migrated database on the PostgreSQL server (whatever VISAGE_TEST_DB says): for code that needs LISTEN/NOTIFY. */
export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `visage_test_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'visage-test-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  if (TEST_EMBEDDED) return { url: undefined, dataDir, drop: removeDir };
  const server = await createServerDatabase();
  return {
    url: server.url,
    dataDir,
    async drop() {
      await server.drop();
      await removeDir();
    },
  };
}

/** Direct access for assertions that must look under the API (e.g. no vector survives a delete). */
export async function openTestDatabase(t: TestDatabase): Promise<Database> {
  return openDatabase({ url: t.url, dataDir: t.dataDir, poolMax: 2 });
}
