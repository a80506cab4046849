/**
 * npm run bench:reports -- [--events 10000000] [--days 180] [--people 5000] [--sources 50] [--runs 20] [--csv-rows 1000000]
 *   [--writers 2] [--batch 3000] [--keep-db <name> | --reuse-db <name>]
 *
 * Generates recognition history on a scratch PostgreSQL database through the insert identify
 * uses (eventRepository.insertMany; --writers statements of --batch events in flight, each writer
 * on its own time segment: bench/support/report-history.ts), then times the reports through their
 * service: recognitionStats over the last 30 days by day (Europe/Berlin, by decision), presence
 * over 30 days, visits of one person over the whole history, a CSV export of --csv-rows rows
 * (in-process through the same CSV chunks as the HTTP route, RSS sampled every
 * 50 ms), and a one-event insert as identify makes it.
 *
 * --keep-db <name> creates database <name> (it must not exist) and leaves it filled;
 * --reuse-db <name> skips generation, applies pending migrations to it and measures what it holds,
 * so a 10M history is generated once and re-measured after each change. The JSON says which run
 * generated the data (`generatedBy`); ingestPerSec is that run's.
 *
 * Stats by decision and presence read the rollups (PresenceRollup, StatsRollup) that the insert's
 * triggers keep, so ingestPerSec and the insert include their cost.
 *
 * The same run then measures the alternatives (on a kept database, undone afterwards):
 *   - withoutReportIndex: the same queries and insert after dropping RecognitionEvent_report_idx;
 *   - rollup: an hourly rollup table kept current in the insert's transaction by a statement
 *     trigger (not part of the product: created on the scratch database only), its insert cost
 *     and recognitionStats counts read from it.
 * The last stdout line is one JSON object; p95 of --runs runs after one warm-up.
 */
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRepositories } from '../src/db/index.js';
import { createReportService } from '../src/reports/report-service.js';
import { createExportService } from '../src/reports/export-service.js';
import type { Viewer } from '../src/auth/index.js';
import { openHistory } from './support/report-history.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '180' },
    people: { type: 'string', default: '5000' },
    sources: { type: 'string', default: '50' },
    runs: { type: 'string', default: '20' },
    'csv-rows': { type: 'string', default: '1000000' },
    writers: { type: 'string', default: '2' },
    batch: { type: 'string', default: '3000' },
    'keep-db': { type: 'string' },
    'reuse-db': { type: 'string' },
    'skip-alternatives': { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const DAY_MS = 86_400_000;

const percentile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
// Counted without split: an array of 5,000 strings per chunk would be the bench's own garbage in csvPeakRssMb.
const newlines = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
};
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const log = (msg: string) => process.stderr.write(`[bench:reports] ${msg}\n`);

async function timed(runs: number, fn: (i: number) => Promise<unknown>): Promise<{ p95: number; p50: number }> {
  await fn(-1);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return { p95: round(percentile(ms, 0.95)), p50: round(percentile(ms, 0.5)) };
}

if (args['keep-db'] && args['reuse-db']) throw new Error('--keep-db and --reuse-db exclude each other');
const history = await openHistory({
  events: Number(args.events), days: Number(args.days), people: Number(args.people), sources: Number(args.sources),
  writers: Number(args.writers), batch: Number(args.batch), keepDb: args['keep-db'] ?? null, reuseDb: args['reuse-db'] ?? null, log,
});
const { db, tenantId, people, sources, start, end, events: N } = history;
try {
  const repos = createRepositories(db);
  const reports = createReportService({ repos });
  const exports = createExportService({ repos, reports });
  const viewer: Viewer = { kind: 'tenant', tenantId, keyId: randomUUID(), role: 'VIEWER' };

  const last30 = { from: new Date(end.getTime() - 30 * DAY_MS), to: end };
  const measureQueries = async () => ({
    stats: await timed(RUNS, () => reports.stats(viewer, { ...last30, bucket: 'DAY', timeZone: 'Europe/Berlin', groupBy: ['DECISION'] })),
    presence: await timed(RUNS, () => reports.presence(viewer, { ...last30, timeZone: 'Europe/Berlin', first: 100 })),
    visits: await timed(RUNS, (i) => reports.visits(viewer, { from: start, to: end, personId: people[(i + 1) % people.length], first: 100 })),
  });
  const measureInsert = () =>
    timed(200, () => repos.events.insertMany(tenantId, [{ personId: people[0]!, decision: 'MATCH', distance: 0.7, votes: 1, k1: 1, k2: 3, threshold: 1.05, model: 'face-arcface-512', source: sources[0]!, frames: 1, latencyMs: 30, box: { x: 1, y: 2, width: 100, height: 100 }, faceQuality: 120, margin: 0.3 }]));

  log('reports with RecognitionEvent_report_idx');
  const indexed = await measureQueries();
  const insertIndexed = await measureInsert();

  const csvRows = Math.min(Number(args['csv-rows']), N);
  log(`CSV of ${csvRows} rows`);
  const csvFrom = new Date(end.getTime() - Math.ceil((csvRows / N) * (end.getTime() - start.getTime())));
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const csvStarted = performance.now();
  let exported = 0;
  const csv = exports.recognitionEvents(viewer, new URLSearchParams({ from: csvFrom.toISOString(), to: end.toISOString() }));
  const counted = (async function* () { for await (const chunk of csv.chunks) { exported += newlines(chunk); yield chunk; } })();
  await pipeline(Readable.from(counted), new Writable({ write: (_chunk, _enc, done) => done() }));
  exported -= 1; // the header
  const csvMs = performance.now() - csvStarted;
  clearInterval(sampler);
  // Scaled to 1M rows when fewer were asked for, so runs of different sizes compare.
  const csv1MRowsMs = Math.round((csvMs * 1_000_000) / Math.max(1, exported));

  // The one-event inserts land after the history's end; a kept history drops them again.
  const dropMeasuredInserts = () => db.pool.query(`DELETE FROM "RecognitionEvent" WHERE "tenantId" = $1 AND "createdAt" >= $2`, [tenantId, end]);

  const alternatives = async () => {
    log('alternative: without the report index');
    const { rows: [reportIndex] } = await db.pool.query<{ def: string }>(`SELECT pg_get_indexdef('"RecognitionEvent_report_idx"'::regclass) AS def`);
    await db.pool.query('DROP INDEX "RecognitionEvent_report_idx"');
    await db.pool.query('ANALYZE "RecognitionEvent"');
    const unindexed = await measureQueries();
    const insertUnindexed = await measureInsert();

    log('alternative: hourly rollup kept by a statement trigger');
    await db.pool.query(`
      CREATE TABLE bench_rollup ("tenantId" uuid, hour timestamptz, decision "RecognitionDecision", source text, count int, PRIMARY KEY ("tenantId", hour, decision, source));
      INSERT INTO bench_rollup SELECT "tenantId", date_trunc('hour', "createdAt"), decision, coalesce(source, ''), count(*) FROM "RecognitionEvent" GROUP BY 1, 2, 3, 4;
      CREATE FUNCTION bench_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO bench_rollup SELECT "tenantId", date_trunc('hour', "createdAt"), decision, coalesce(source, ''), count(*) FROM new_rows GROUP BY 1, 2, 3, 4
        ON CONFLICT ("tenantId", hour, decision, source) DO UPDATE SET count = bench_rollup.count + excluded.count;
        RETURN NULL; END $$;
      CREATE TRIGGER bench_rollup_after AFTER INSERT ON "RecognitionEvent" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bench_rollup_add();`);
    await db.pool.query('VACUUM ANALYZE bench_rollup');
    const insertRollup = await measureInsert();
    // Whole-hour rollups serve whole-hour time zones only; Berlin is one.
    const rollupStats = await timed(RUNS, () =>
      db.pool.query(
        `SELECT date_trunc('day', hour, 'Europe/Berlin') AS day, decision, sum(count)::int FROM bench_rollup WHERE "tenantId" = $1 AND hour >= $2 AND hour < $3 GROUP BY 1, 2 ORDER BY 1, 2`,
        [tenantId, last30.from, last30.to],
      ),
    );
    if (history.kept) {
      log('undoing the alternatives on the kept database');
      await db.pool.query(`DROP TRIGGER bench_rollup_after ON "RecognitionEvent"; DROP FUNCTION bench_rollup_add(); DROP TABLE bench_rollup`);
      await db.pool.query(reportIndex!.def);
      await db.pool.query('ANALYZE "RecognitionEvent"');
    }
    return {
      withoutReportIndex: { stats30dDayP95Ms: unindexed.stats.p95, presence30dP95Ms: unindexed.presence.p95, visitsP95Ms: unindexed.visits.p95, identifyEventInsertMs: insertUnindexed.p50 },
      rollup: { stats30dDayCountsP95Ms: rollupStats.p95, identifyEventInsertMs: insertRollup.p50, note: 'without the report index, plus the trigger; counts only: medians and p95 latency cannot be summed from a rollup' },
    };
  };
  const others = args['skip-alternatives'] ? {} : await alternatives();
  if (history.kept) await dropMeasuredInserts();

  console.log(JSON.stringify({
    events: N,
    ingestPerSec: history.generatedBy.ingestPerSec,
    stats30dDayP95Ms: indexed.stats.p95,
    presence30dP95Ms: indexed.presence.p95,
    visitsP95Ms: indexed.visits.p95,
    csv1MRowsMs,
    csvPeakRssMb: round((rssPeak - rssBefore) / 1024 / 1024),
    identifyEventInsertMs: insertIndexed.p50,
    csvRows: exported,
    identifyEventInsertP95Ms: insertIndexed.p95,
    stats30dDayP50Ms: indexed.stats.p50,
    ...others,
    generatedBy: history.generatedBy,
  }));
} finally {
  await history.close();
}
