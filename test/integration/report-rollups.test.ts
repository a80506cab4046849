import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRepositories, migrate, type Database, type Repositories } from '../../src/db/index.js';
import { createTestDatabase, openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { generateEvents, localDate, type GeneratedEvent } from '../support/event-generator.js';

/**
 * Presence and recognitionStats by decision are read from PresenceRollup and StatsRollup, which
 * triggers keep in step with the events. Every answer
 * here is recomputed from the generated events the test wrote, in zones with whole, half and
 * three-quarter hour offsets, across DST changes, with ranges that cut 15-minute slots, and again
 * after each way events go: retention purge, erasure, a deleted person, a deleted tenant.
 */
const ZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'UTC'];
// Ten days across the end of summer time in Europe (25 Oct) and North America (1 Nov).
const FROM = new Date('2026-10-23T00:00:00Z');
const RANGES = [
  { from: FROM, to: new Date('2026-11-03T00:00:00Z') },
  { from: new Date('2026-10-24T21:07:13.500Z'), to: new Date('2026-11-01T06:52:00.001Z') },
  { from: new Date('2026-10-25T00:40:00Z'), to: new Date('2026-10-25T00:44:00Z') },
];

let t: TestDatabase;
let db: Database;
let repos: Repositories;
let tenantId: string;
let people: string[];
let events: GeneratedEvent[];

interface Row {
  date: string;
  personId: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  sources: string[];
}

function expected(range: { from: Date; to: Date }, timeZone: string): Row[] {
  const rows = new Map<string, Row>();
  for (const e of events) {
    if (e.decision !== 'MATCH' || !e.personId || e.createdAt < range.from || e.createdAt >= range.to) continue;
    const date = localDate(e.createdAt, timeZone);
    const key = `${date} ${e.personId}`;
    const at = e.createdAt.toISOString();
    const row = rows.get(key) ?? { date, personId: e.personId, firstSeen: at, lastSeen: at, count: 0, sources: [] };
    row.count++;
    if (at < row.firstSeen) row.firstSeen = at;
    if (at > row.lastSeen) row.lastSeen = at;
    if (e.source && !row.sources.includes(e.source)) row.sources.push(e.source);
    rows.set(key, row);
  }
  return [...rows.values()].map((r) => ({ ...r, sources: r.sources.sort() })).sort((a, b) => (a.date === b.date ? (a.personId < b.personId ? -1 : 1) : a.date < b.date ? -1 : 1));
}

/** Every page of the report, as plain rows. */
async function presence(range: { from: Date; to: Date }, timeZone: string, personIds: string[] | null = null): Promise<{ rows: Row[]; totalCount: number }> {
  const rows: Row[] = [];
  let after: { date: string; personId: string } | null = null;
  let totalCount = -1;
  for (;;) {
    const page = await repos.reports.presence(tenantId, { ...range, timeZone, personIds, source: null, first: 37, after });
    totalCount = page.totalCount;
    rows.push(...page.items.map((r) => ({ ...r, firstSeen: r.firstSeen.toISOString(), lastSeen: r.lastSeen.toISOString() })));
    if (!page.hasNextPage) return { rows, totalCount };
    const last: Row = rows.at(-1)!;
    after = { date: last.date, personId: last.personId };
  }
}

async function assertAllMatch(label: string): Promise<void> {
  for (const range of RANGES) {
    for (const zone of ZONES) {
      const want = expected(range, zone);
      const got = await presence(range, zone);
      assert.equal(got.totalCount, want.length, `${label}: ${zone} ${range.from.toISOString()} total`);
      assert.deepEqual(got.rows, want, `${label}: ${zone} ${range.from.toISOString()}`);
    }
  }
}

const DECISIONS = ['MATCH', 'UNKNOWN', 'NO_FACE'] as const;

/** The bucket start of each event, by PostgreSQL's date_trunc in the zone (the raw reports' rule). */
async function bucketStarts(bucket: 'day' | 'week' | 'month', timeZone: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ start: Date }>(`SELECT date_trunc($2::text, t, $3::text) AS start FROM unnest($1::timestamptz[]) WITH ORDINALITY u(t, i) ORDER BY i`, [events.map((e) => e.createdAt), bucket, timeZone]);
  return rows.map((r) => r.start.toISOString());
}

/** Counts and distinct people equal; the median and p95 lie within one bin of the events at their rank. */
async function assertStatsMatch(label: string): Promise<void> {
  for (const bucket of ['day', 'week', 'month'] as const) {
    for (const timeZone of ZONES) {
      const starts = await bucketStarts(bucket, timeZone);
      for (const range of RANGES) {
        for (const groupBy of [[], ['decision']] as const) {
          const got = await repos.reports.stats(tenantId, { ...range, timeZone, bucket, groupBy: [...groupBy], filter: {}, limit: 10_001 });
          const groups = new Map<string, GeneratedEvent[]>();
          events.forEach((e, i) => {
            if (e.createdAt < range.from || e.createdAt >= range.to) return;
            const key = `${starts[i]} ${groupBy.length ? DECISIONS.indexOf(e.decision as (typeof DECISIONS)[number]) : ''}`;
            groups.set(key, [...(groups.get(key) ?? []), e]);
          });
          const where = `${label}: ${bucket} ${timeZone} ${range.from.toISOString()} ${groupBy.join()}`;
          const keys = [...groups.keys()].sort();
          assert.deepEqual(got.map((r) => `${r.bucketStart.toISOString()} ${r.decision ? DECISIONS.indexOf(r.decision) : ''}`), keys, where);
          got.forEach((row, i) => {
            const group = groups.get(keys[i]!)!;
            assert.equal(row.count, group.length, where);
            assert.equal(row.distinctPeople, new Set(group.flatMap((e) => (e.personId ? [e.personId] : []))).size, where);
            const within = (value: number | null, values: number[], q: number, slack: (v: number) => number) => {
              if (values.length === 0) return assert.equal(value, null, where);
              values.sort((a, b) => a - b);
              const rank = q * (values.length - 1);
              const lo = values[Math.floor(rank)]!;
              const hi = values[Math.ceil(rank)]!;
              assert.ok(value !== null && value >= lo - slack(lo) && value <= hi + slack(hi), `${where}: ${value} outside [${lo}, ${hi}]`);
            };
            within(row.medianDistance, group.flatMap((e) => (e.distance === null ? [] : [e.distance])), 0.5, () => 0.01);
            within(row.p95LatencyMs, group.map((e) => e.latencyMs), 0.95, (v) => 0.02 * (1 + v));
          });
        }
      }
    }
  }
}

/** The rollups equal those rebuilt from the events now stored: no stale or missing slot or bin. */
async function assertRollupIsExact(): Promise<void> {
  const { rows } = await db.pool.query<{ n: number }>(
    `WITH rebuilt AS (
       SELECT "tenantId", "personId", ("createdAt" AT TIME ZONE 'UTC')::date AS day, bit_or("presence_slot"("createdAt")) AS slots
         FROM "RecognitionEvent" WHERE "decision" = 'MATCH' AND "personId" IS NOT NULL GROUP BY 1, 2, 3)
     SELECT count(*)::int AS n FROM rebuilt FULL JOIN "PresenceRollup" r USING ("tenantId", "personId", day)
      WHERE rebuilt.slots IS DISTINCT FROM r."slots"`,
  );
  assert.equal(rows[0]!.n, 0);
  const stats = await db.pool.query<{ n: number }>(
    `WITH rebuilt AS (
       SELECT "tenantId", date_bin('1 hour', "createdAt", 'epoch') AS hour, "decision", m.metric, m.bin, count(*)::int AS count
         FROM "RecognitionEvent", LATERAL (VALUES (0::smallint, "stats_distance_bin"("distance")), (1::smallint, "stats_latency_bin"("latencyMs"))) m(metric, bin)
        WHERE m.bin IS NOT NULL GROUP BY 1, 2, 3, 4, 5)
     SELECT count(*)::int AS n FROM rebuilt FULL JOIN "StatsRollup" r USING ("tenantId", hour, "decision", metric, bin)
      WHERE rebuilt.count IS DISTINCT FROM r."count"`,
  );
  assert.equal(stats.rows[0]!.n, 0);
  const days = await db.pool.query<{ n: number }>(
    `WITH rebuilt AS (
       SELECT "tenantId", date_bin('1 day', "hour", 'epoch') AS day, "decision", metric, bin, sum(count)::int AS count FROM "StatsRollup" GROUP BY 1, 2, 3, 4, 5)
     SELECT count(*)::int AS n FROM rebuilt FULL JOIN "StatsRollupDay" r USING ("tenantId", day, "decision", metric, bin)
      WHERE rebuilt.count IS DISTINCT FROM r."count"`,
  );
  assert.equal(days.rows[0]!.n, 0);
}

before(async () => {
  t = await createTestDatabase();
  db = await openTestDatabase(t);
  await migrate(db.pool); // the embedded database starts empty
  repos = createRepositories(db);
  tenantId = randomUUID();
  await db.pool.query(`INSERT INTO "Tenant" ("id", "name", "slug", "updatedAt") VALUES ($1, 'presence', $2, now())`, [tenantId, `p-${tenantId.slice(0, 8)}`]);
  const created = await db.pool.query<{ id: string }>(
    `INSERT INTO "Person" ("id", "tenantId", "displayName", "updatedAt") SELECT gen_random_uuid(), $1, 'person ' || i, now() FROM generate_series(1, 6) i RETURNING id`,
    [tenantId],
  );
  people = created.rows.map((r) => r.id);
  // About one event every 3 minutes for 11 days, so most 15-minute slots hold several.
  events = [...generateEvents({ seed: 13, from: FROM, stepMs: 180_000, count: 5300, people, sources: ['door', 'lobby', 'dock'] })];
  for (let i = 0; i < events.length; i += 250) await repos.events.insertMany(tenantId, events.slice(i, i + 250));
});

after(async () => {
  await db?.close();
  await t?.drop();
});

describe('presence and stats from the rollups', () => {
  it('equal the reports computed from the events, in every zone, across DST and with ranges that cut slots and hours', async () => {
    await assertRollupIsExact();
    await assertAllMatch('as written');
    await assertStatsMatch('as written');
    const two = people.slice(0, 2);
    const got = await presence(RANGES[0]!, 'Asia/Kathmandu', two);
    assert.deepEqual(got.rows, expected(RANGES[0]!, 'Asia/Kathmandu').filter((r) => two.includes(r.personId)));
  });

  it('stays exact after a retention purge, an erasure and a deleted person', async () => {
    // The purge deletes newest first in batches, so slots are emptied a part at a time.
    const cutoff = new Date('2026-10-27T10:07:00Z');
    while ((await repos.retention.purgeEvents(tenantId, cutoff, false, 97)).removed > 0);
    events = events.filter((e) => e.createdAt >= cutoff);
    await assertRollupIsExact();
    await assertAllMatch('after the purge');

    const receipt = await repos.erasure.erasePerson(tenantId, people[0]!, { type: 'SYSTEM' });
    assert.ok(receipt && receipt.events > 0);
    events = events.filter((e) => e.personId !== people[0]);
    await assertRollupIsExact();
    await assertAllMatch('after the erasure');
    await assertStatsMatch('after the erasure');

    // Deleting a person keeps their events without a person (ON DELETE SET NULL).
    await db.pool.query(`DELETE FROM "Person" WHERE id = $1`, [people[1]]);
    events = events.map((e) => (e.personId === people[1] ? { ...e, personId: null } : e));
    await assertRollupIsExact();
    await assertAllMatch('after a deleted person');
    await assertStatsMatch('after a deleted person');
  });

  it('goes with its tenant', async () => {
    await db.pool.query(`DELETE FROM "Tenant" WHERE id = $1`, [tenantId]);
    const { rows } = await db.pool.query<{ n: number }>(`SELECT (SELECT count(*) FROM "PresenceRollup")::int + (SELECT count(*) FROM "StatsRollup")::int + (SELECT count(*) FROM "StatsRollupDay")::int AS n`);
    assert.equal(rows[0]!.n, 0);
  });
});
