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

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'visage-test-'));
  if (TEST_EMBEDDED) {
    return { url: undefined, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `visage_test_${randomUUID().replaceAll('-', '')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), dataDir, poolMax: 1 });
  try {
    await migrate(db.pool);
  } finally {
    await db.close();
  }
  return {
    url: url.toString(),
    dataDir,
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Direct access for assertions that must look under the API (e.g. no vector survives a delete). */
export async function openTestDatabase(t: TestDatabase): Promise<Database> {
  return openDatabase({ url: t.url, dataDir: t.dataDir, poolMax: 2 });
}
