import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createRepositories, migrate, openDatabase, type Database } from '../../src/db/index.js';
import { adminQuery, createServerDatabase, TEST_SERVER_URL } from '../../test/support/test-database.js';
import { generateEvents } from '../../test/support/event-generator.js';

const DAY_MS = 86_400_000;

export interface HistoryOptions {
  events: number;
  days: number;
  people: number;
  sources: number;
  /** Concurrent insert statements, each on its own pool connection. */
  writers: number;
  /** Events per insertMany statement (at most 3,120: 21 parameters per event, 65,535 per statement). */
  batch: number;
  /** Create this database, fill it and leave it for --reuse-db. */
  keepDb: string | null;
  /** Skip generation: run the migrations on this kept database and measure what it holds. */
  reuseDb: string | null;
  log: (msg: string) => void;
}

/** Which run generated the data, stored with it so a reused history says where it came from. */
export interface GeneratedBy {
  database: string | null;
  generatedAt: string;
  commit: string;
  events: number;
  days: number;
  writers: number;
  batch: number;
  ingestPerSec: number;
}

export interface History {
  db: Database;
  tenantId: string;
  people: string[];
  sources: string[];
  start: Date;
  end: Date;
  events: number;
  generatedBy: GeneratedBy;
  /** True when the database outlives the run: alternatives that change it must undo their changes. */
  kept: boolean;
  close(): Promise<void>;
}

const META = `CREATE TABLE IF NOT EXISTS bench_reports_history (
  "tenantId" uuid NOT NULL, "start" timestamptz NOT NULL, "end" timestamptz NOT NULL, sources text[] NOT NULL, "generatedBy" jsonb NOT NULL)`;

function databaseUrl(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`--keep-db/--reuse-db: "${name}" is not a plain lower-case database name`);
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The history's people in a fixed order, so a reused database measures the same visits. */
async function peopleOf(db: Database, tenantId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(`SELECT "id" FROM "Person" WHERE "tenantId" = $1 ORDER BY "id"`, [tenantId]);
  return rows.map((r) => r.id);
}

/**
 * Writes the events through eventRepository.insertMany (identify's insert, triggers included).
 * The history is cut into one contiguous time segment per writer: concurrent statements then
 * touch different rollup rows (hours, person-days) and do not queue on each other's row locks,
 * as consecutive batches of one time-ordered stream would.
 */
async function ingest(db: Database, tenantId: string, people: string[], sources: string[], start: Date, o: HistoryOptions): Promise<number> {
  const repos = createRepositories(db);
  const span = o.days * DAY_MS;
  const started = performance.now();
  let written = 0;
  let reported = 0;
  const writer = async (w: number) => {
    const count = Math.floor(o.events / o.writers) + (w < o.events % o.writers ? 1 : 0);
    const from = new Date(start.getTime() + (span * w) / o.writers);
    let batch: Parameters<typeof repos.events.insertMany>[1][number][] = [];
    for (const event of generateEvents({ seed: 1 + w, from, stepMs: span / o.events, count, people, sources })) {
      batch.push(event);
      if (batch.length < o.batch) continue;
      await repos.events.insertMany(tenantId, batch);
      written += batch.length;
      batch = [];
      if (written - reported >= 500_000) {
        reported = written;
        o.log(`${written} events, ${Math.round(written / ((performance.now() - started) / 1000))}/s`);
      }
    }
    if (batch.length > 0) await repos.events.insertMany(tenantId, batch);
  };
  await Promise.all(Array.from({ length: o.writers }, (_, w) => writer(w)));
  const perSec = Math.round(o.events / ((performance.now() - started) / 1000));
  o.log(`${o.events} events, ${perSec}/s`);
  return perSec;
}

async function generate(o: HistoryOptions): Promise<History> {
  let url: string;
  let drop: () => Promise<void>;
  if (o.keepDb) {
    url = databaseUrl(o.keepDb);
    // CREATE DATABASE fails if it exists: a kept 10M history is never overwritten by accident.
    await adminQuery(`CREATE DATABASE ${o.keepDb}`);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await migrate(pool);
    } finally {
      await pool.end();
    }
    drop = async () => undefined;
  } else {
    const scratch = await createServerDatabase();
    url = scratch.url;
    drop = () => scratch.drop();
  }
  const db = await openDatabase({ url, dataDir: '/tmp', poolMax: Math.max(4, o.writers) });
  const tenantId = randomUUID();
  await db.pool.query(`INSERT INTO "Tenant" ("id", "name", "slug", "updatedAt") VALUES ($1, 'bench', $2, now())`, [tenantId, `bench-${tenantId.slice(0, 8)}`]);
  await db.pool.query(
    `INSERT INTO "Person" ("id", "tenantId", "displayName", "updatedAt") SELECT gen_random_uuid(), $1, 'person ' || i, now() FROM generate_series(1, $2::int) i`,
    [tenantId, o.people],
  );
  const people = await peopleOf(db, tenantId);
  const sources = Array.from({ length: o.sources }, (_, i) => `camera-${i + 1}`);
  const end = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  const start = new Date(end.getTime() - o.days * DAY_MS);
  o.log(`generating ${o.events} events over ${o.days} days for ${people.length} people at ${sources.length} sources (${o.writers} writers, batches of ${o.batch})`);
  const ingestPerSec = await ingest(db, tenantId, people, sources, start, o);
  o.log('VACUUM ANALYZE');
  await db.pool.query('VACUUM ANALYZE "RecognitionEvent", "PresenceRollup", "StatsRollup"');
  const generatedBy: GeneratedBy = { database: o.keepDb, generatedAt: new Date().toISOString(), commit: commit(), events: o.events, days: o.days, writers: o.writers, batch: o.batch, ingestPerSec };
  await db.pool.query(META);
  await db.pool.query(`INSERT INTO bench_reports_history VALUES ($1, $2, $3, $4, $5)`, [tenantId, start, end, sources, generatedBy]);
  return {
    db, tenantId, people, sources, start, end, events: o.events, generatedBy, kept: o.keepDb !== null,
    async close() {
      await db.close();
      await drop();
    },
  };
}

async function reuse(name: string, o: HistoryOptions): Promise<History> {
  const db = await openDatabase({ url: databaseUrl(name), dataDir: '/tmp', poolMax: 4 });
  try {
    const applied = await migrate(db.pool);
    if (applied.applied.length > 0) {
      o.log(`applied ${applied.applied.join(', ')}; VACUUM ANALYZE`);
      await db.pool.query('VACUUM ANALYZE');
    }
    const { rows } = await db.pool.query<{ tenantId: string; start: Date; end: Date; sources: string[]; generatedBy: GeneratedBy }>(`SELECT * FROM bench_reports_history`);
    const meta = rows[0];
    if (!meta) throw new Error(`${name} holds no bench:reports history (it was not made with --keep-db)`);
    o.log(`reusing ${name}: ${meta.generatedBy.events} events generated ${meta.generatedBy.generatedAt} at commit ${meta.generatedBy.commit}`);
    return {
      db, tenantId: meta.tenantId, people: await peopleOf(db, meta.tenantId), sources: meta.sources, start: meta.start, end: meta.end,
      events: meta.generatedBy.events, generatedBy: meta.generatedBy, kept: true, close: () => db.close(),
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}

export function openHistory(o: HistoryOptions): Promise<History> {
  return o.reuseDb ? reuse(o.reuseDb, o) : generate(o);
}
