import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, errorCode, type TestTenant } from '../support/factories.js';
import { generateEvents, localDate, type GeneratedEvent } from '../support/event-generator.js';
import { createRepositories } from '../../src/db/index.js';

/**
 * Reports against events generated here and written through the insert identify uses: every
 * number the API answers is recomputed in the test from the same events.
 */
const TZ = 'Europe/Berlin';
// Around both 2026 DST changes in Berlin: 29 March has 23 hours, 25 October 25.
const SPRING = { from: new Date('2026-03-28T20:00:00Z'), midnight: new Date('2026-03-28T23:00:00Z'), nextMidnight: new Date('2026-03-29T22:00:00Z') };
const AUTUMN = { from: new Date('2026-10-24T20:00:00Z'), midnight: new Date('2026-10-24T22:00:00Z'), nextMidnight: new Date('2026-10-25T23:00:00Z') };
const RANGE = { from: '2026-03-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };

let server: TestServer;
let a: TestTenant;
let b: TestTenant;
let viewer: string;
let people: string[];
let bPerson: string;
const events: GeneratedEvent[] = [];
const bEvents: GeneratedEvent[] = [];
const recent: GeneratedEvent[] = [];

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1);
  return m;
}

async function query(q: string, variables: Record<string, unknown>, token = viewer) {
  const res = await server.gql(q, variables, token);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!;
}

before(async () => {
  server = await startTestServer();
  a = await createTenant(server);
  b = await createTenant(server);
  viewer = (await createKey(server, a, 'VIEWER')).secret;
  people = [];
  for (let i = 0; i < 3; i++) people.push((await createPerson(server, a.secret)).id);
  bPerson = (await createPerson(server, b.secret)).id;
  const sources = ['door-1', 'door-2', 'lobby'];
  // ~5 minutes apart over 30 hours: every local hour of both DST days holds events.
  for (const [seed, span] of [[1, SPRING], [2, AUTUMN]] as const) events.push(...generateEvents({ seed, from: span.from, stepMs: 5 * 60_000, count: 360, people, sources }));
  bEvents.push(...generateEvents({ seed: 3, from: SPRING.from, stepMs: 7 * 60_000, count: 50, people: [bPerson], sources: ['b-door'] }));
  const now = Date.now();
  recent.push(...generateEvents({ seed: 4, from: new Date(now - 30 * 60_000), stepMs: 60_000, count: 3, people, sources: ['door-1'] }));
  const repos = createRepositories(server.app.db);
  for (let i = 0; i < events.length; i += 200) await repos.events.insertMany(a.id, events.slice(i, i + 200));
  await repos.events.insertMany(a.id, recent);
  await repos.events.insertMany(b.id, bEvents);
});
after(async () => server?.stop());

const STATS = `query($i: RecognitionStatsInput!) { recognitionStats(input: $i) { bucketStart decision source personId person { id } count distinctPeople medianDistance p95LatencyMs } }`;

describe('recognitionStats', () => {
  it('counts per local day and decision equal the generated events', async () => {
    const data = await query(STATS, { i: { ...RANGE, bucket: 'DAY', timeZone: TZ, groupBy: ['DECISION'] } });
    const expected = countBy(events, (e) => `${localDate(e.createdAt, TZ)}|${e.decision}`);
    const got = new Map<string, number>(data.recognitionStats.map((r: { bucketStart: string; decision: string; count: number }) => [`${localDate(new Date(r.bucketStart), TZ)}|${r.decision}`, r.count]));
    assert.deepEqual(got, expected);
    for (const row of data.recognitionStats) {
      assert.equal(row.source, null);
      assert.equal(row.personId, null);
      // Local midnight: the bucket starts at 00:00 in Berlin, whatever its UTC offset.
      assert.match(new Date(row.bucketStart).toLocaleTimeString('en-GB', { timeZone: TZ }), /^00:00:00$/);
      const day = events.filter((e) => localDate(e.createdAt, TZ) === localDate(new Date(row.bucketStart), TZ) && e.decision === row.decision);
      assert.equal(row.distinctPeople, new Set(day.flatMap((e) => (e.personId ? [e.personId] : []))).size);
    }
  });

  it('a DST day in Europe/Berlin has 23 and 25 hourly buckets', async () => {
    for (const [span, hours] of [[SPRING, 23], [AUTUMN, 25]] as const) {
      const data = await query(STATS, { i: { from: span.midnight.toISOString(), to: span.nextMidnight.toISOString(), bucket: 'HOUR', timeZone: TZ } });
      assert.equal(data.recognitionStats.length, hours);
      const inDay = events.filter((e) => e.createdAt >= span.midnight && e.createdAt < span.nextMidnight);
      const expected = countBy(inDay, (e) => new Date(Math.floor(e.createdAt.getTime() / 3_600_000) * 3_600_000).toISOString());
      assert.deepEqual(new Map(data.recognitionStats.map((r: { bucketStart: string; count: number }) => [r.bucketStart, r.count])), expected);
    }
  });

  it('groups by person and source, with the median distance of each group', async () => {
    const data = await query(STATS, { i: { ...RANGE, bucket: 'MONTH', timeZone: TZ, groupBy: ['PERSON', 'SOURCE'], filter: { decision: 'MATCH' } } });
    const matches = events.filter((e) => e.decision === 'MATCH');
    assert.deepEqual(
      new Map(data.recognitionStats.map((r: { bucketStart: string; personId: string; source: string; count: number }) => [`${localDate(new Date(r.bucketStart), TZ).slice(0, 7)}|${r.personId}|${r.source}`, r.count])),
      countBy(matches, (e) => `${localDate(e.createdAt, TZ).slice(0, 7)}|${e.personId}|${e.source}`),
    );
    const row = data.recognitionStats[0];
    assert.equal(row.person.id, row.personId);
    const distances = matches.filter((e) => e.personId === row.personId && e.source === row.source && localDate(e.createdAt, TZ).slice(0, 7) === localDate(new Date(row.bucketStart), TZ).slice(0, 7)).map((e) => e.distance!).sort((x, y) => x - y);
    const mid = (distances.length - 1) / 2;
    assert.ok(Math.abs(row.medianDistance - (distances[Math.floor(mid)]! + distances[Math.ceil(mid)]!) / 2) < 1e-9);
  });
});

describe('Person.matchDistanceTrend', () => {
  it('is the person’s MATCH count and median distance per bucket', async () => {
    const person = people[1]!;
    const data = await query(`query($id: ID!) { person(id: $id) { matchDistanceTrend(from: "${RANGE.from}", to: "${RANGE.to}", bucket: MONTH, timeZone: "${TZ}") { bucketStart count medianDistance decision } } }`, { id: person });
    const mine = events.filter((e) => e.personId === person && e.decision === 'MATCH');
    const expected = countBy(mine, (e) => localDate(e.createdAt, TZ).slice(0, 7));
    const rows = data.person.matchDistanceTrend as { bucketStart: string; count: number; medianDistance: number }[];
    assert.deepEqual(new Map(rows.map((r) => [localDate(new Date(r.bucketStart), TZ).slice(0, 7), r.count])), expected);
    assert.ok(rows.every((r) => r.medianDistance > 0.5 && r.medianDistance < 1.05));
  });
});

describe('presence and visits', () => {
  const PRESENCE = `query($i: PresenceInput!) { presence(input: $i) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { date personId firstSeen lastSeen count sources } } } }`;

  it('answers first and last seen per person per local day, page by page', async () => {
    const rows: { date: string; personId: string; firstSeen: string; lastSeen: string; count: number; sources: string[] }[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const data = await query(PRESENCE, { i: { ...RANGE, timeZone: TZ, first: 7, after } });
      rows.push(...data.presence.edges.map((e: { node: (typeof rows)[number] }) => e.node));
      after = data.presence.pageInfo.hasNextPage ? data.presence.pageInfo.endCursor : null;
      pages++;
    } while (after);
    const groups = new Map<string, GeneratedEvent[]>();
    for (const e of events.filter((x) => x.decision === 'MATCH')) {
      const key = `${localDate(e.createdAt, TZ)}|${e.personId}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    assert.equal(rows.length, groups.size);
    assert.ok(pages > 1);
    for (const row of rows) {
      const group = groups.get(`${row.date}|${row.personId}`)!;
      assert.ok(group, `unexpected ${row.date} ${row.personId}`);
      assert.equal(row.count, group.length);
      assert.equal(row.firstSeen, group[0]!.createdAt.toISOString());
      assert.equal(row.lastSeen, group.at(-1)!.createdAt.toISOString());
      assert.deepEqual([...row.sources].sort(), [...new Set(group.map((e) => e.source!))].sort());
    }
  });

  it('merges one person’s events at one source into visits while gaps are under gapMinutes', async () => {
    const person = people[0]!;
    const data = await query(`query($i: VisitsInput!) { visits(input: $i) { totalCount edges { node { personId source start end events } } } }`, { i: { ...RANGE, personId: person, gapMinutes: 10, first: 1000 } });
    const expected: { source: string; start: string; end: string; events: number }[] = [];
    for (const source of ['door-1', 'door-2', 'lobby']) {
      let current: { source: string; start: string; end: string; events: number } | null = null;
      let last = 0;
      for (const e of events.filter((x) => x.personId === person && x.source === source)) {
        if (!current || e.createdAt.getTime() - last >= 10 * 60_000) {
          current = { source, start: e.createdAt.toISOString(), end: e.createdAt.toISOString(), events: 0 };
          expected.push(current);
        }
        current.end = e.createdAt.toISOString();
        current.events++;
        last = e.createdAt.getTime();
      }
    }
    const key = (v: { start: string; source: string }) => `${v.start}|${v.source}`;
    const got = data.visits.edges.map((e: { node: { personId: string; source: string; start: string; end: string; events: number } }) => e.node);
    assert.equal(data.visits.totalCount, expected.length);
    assert.ok(got.every((v: { personId: string }) => v.personId === person));
    assert.deepEqual(got.map(({ personId: _p, ...v }: { personId: string }) => v), expected.sort((x, y) => key(x).localeCompare(key(y))));
  });
});

describe('unknown rate, distances and source health', () => {
  it('unknown over faces and NO_FACE over calls, per local day and source', async () => {
    const data = await query(`query($i: UnknownRateInput!) { unknownRate(input: $i) { bucketStart source events faces unknown noFace calls unknownRate noFaceRate } }`, { i: { ...RANGE, bucket: 'DAY', timeZone: TZ } });
    const key = (date: string, source: string) => `${date}|${source}`;
    for (const row of data.unknownRate) {
      const group = events.filter((e) => key(localDate(e.createdAt, TZ), e.source!) === key(localDate(new Date(row.bucketStart), TZ), row.source));
      const faces = group.filter((e) => e.decision !== 'NO_FACE').length;
      const unknown = group.filter((e) => e.decision === 'UNKNOWN').length;
      const calls = group.filter((e) => e.callStart).length;
      assert.deepEqual([row.events, row.faces, row.unknown, row.noFace, row.calls], [group.length, faces, unknown, group.length - faces, calls]);
      assert.ok(Math.abs(row.unknownRate - unknown / faces) < 1e-12);
      assert.ok(Math.abs(row.noFaceRate - (group.length - faces) / calls) < 1e-12);
    }
    assert.equal(data.unknownRate.reduce((s: number, r: { events: number }) => s + r.events, 0), events.length);
    assert.ok(events.some((e) => !e.callStart), 'the history has calls with several faces');
  });

  it('a distance histogram and the share of matches near the threshold', async () => {
    const data = await query(`query($i: DistanceDistributionInput!) { distanceDistribution(input: $i) { bins { from to count } matches nearThreshold nearThresholdShare } }`, { i: { ...RANGE, bins: 20 } });
    const d = data.distanceDistribution;
    assert.equal(d.bins.length, 20);
    const withDistance = events.filter((e) => e.distance !== null);
    for (const [i, bin] of d.bins.entries()) assert.equal(bin.count, withDistance.filter((e) => Math.min(Math.floor(e.distance! / 0.1), 19) === i).length, `bin ${i}`);
    const matches = events.filter((e) => e.decision === 'MATCH');
    assert.equal(d.matches, matches.length);
    assert.equal(d.nearThreshold, matches.filter((e) => e.distance! > e.threshold - 0.05).length);
  });

  it('per source: last event, the last hour, and shares of the last day', async () => {
    const data = await query(`{ sourceHealth { source lastEventAt eventsLastHour eventsLastDay noFaceShare unknownShare } }`, {});
    const bySource = new Map(data.sourceHealth.map((r: { source: string }) => [r.source, r]));
    assert.deepEqual([...bySource.keys()], ['door-1', 'door-2', 'lobby']);
    const door = bySource.get('door-1') as { lastEventAt: string; eventsLastHour: number; eventsLastDay: number };
    assert.equal(door.lastEventAt, recent.at(-1)!.createdAt.toISOString());
    assert.equal(door.eventsLastHour, recent.length);
    const lobby = bySource.get('lobby') as { lastEventAt: string; eventsLastDay: number; noFaceShare: number | null };
    assert.equal(lobby.lastEventAt, events.filter((e) => e.source === 'lobby').at(-1)!.createdAt.toISOString());
    assert.equal(lobby.eventsLastDay, 0);
    assert.equal(lobby.noFaceShare, null);
  });
});

describe('tenantUsage', () => {
  it('counts what each local month created, and the totals now', async () => {
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const data = await query(`query($i: TenantUsageInput!) { tenantUsage(input: $i) { people faces months { month peopleCreated facesEnrolled events noFaceEvents calls } } }`, { i: { from: RANGE.from, to, timeZone: TZ } });
    const usage = data.tenantUsage;
    assert.deepEqual([usage.people, usage.faces], [people.length, 0]);
    const all = [...events, ...recent];
    const byMonth = countBy(all, (e) => localDate(e.createdAt, TZ).slice(0, 7));
    const thisMonth = localDate(new Date(), TZ).slice(0, 7);
    const got = new Map(usage.months.map((m: { month: string; events: number }) => [localDate(new Date(m.month), TZ).slice(0, 7), m]));
    assert.deepEqual([...got.keys()].sort(), [...new Set([...byMonth.keys(), thisMonth])].sort());
    for (const [month, row] of got as Map<string, { events: number; noFaceEvents: number; calls: number; peopleCreated: number }>) {
      assert.equal(row.events, byMonth.get(month) ?? 0, month);
      assert.equal(row.calls, all.filter((e) => e.callStart !== false && localDate(e.createdAt, TZ).startsWith(month)).length, month);
      assert.equal(row.noFaceEvents, all.filter((e) => e.decision === 'NO_FACE' && localDate(e.createdAt, TZ).startsWith(month)).length, month);
      assert.equal(row.peopleCreated, month === thisMonth ? people.length : 0, month);
    }
  });
});

describe('report access', () => {
  it('tenant B never sees tenant A’s numbers', async () => {
    const stats = await query(STATS, { i: { ...RANGE, bucket: 'MONTH', groupBy: ['SOURCE'] } }, b.secret);
    assert.deepEqual(stats.recognitionStats.map((r: { source: string; count: number }) => [r.source, r.count]), [['b-door', bEvents.length]]);
    const health = await query(`{ sourceHealth { source } }`, {}, b.secret);
    assert.deepEqual(health.sourceHealth, [{ source: 'b-door' }]);
    const presence = await query(`query($i: PresenceInput!) { presence(input: $i) { edges { node { personId } } } }`, { i: { ...RANGE, first: 1000 } }, b.secret);
    assert.ok(presence.presence.edges.every((e: { node: { personId: string } }) => e.node.personId === bPerson));
    const foreign = await server.gql(`query($i: VisitsInput!) { visits(input: $i) { totalCount } }`, { i: { ...RANGE, personId: people[0] } }, b.secret);
    assert.equal(errorCode(foreign), 'NOT_FOUND');
  });

  it('a CLIENT key may not read reports', async () => {
    const client = await createKey(server, a, 'CLIENT');
    const res = await server.gql(STATS, { i: { ...RANGE, bucket: 'DAY' } }, client.secret);
    assert.equal(errorCode(res), 'FORBIDDEN');
  });

  it('names the field of a bad time zone, range, bucket size or cursor', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...RANGE, bucket: 'DAY', timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ ...RANGE, bucket: 'DAY', timeZone: 'UTC+3' }, 'timeZone'],
      [{ from: RANGE.to, to: RANGE.from, bucket: 'DAY' }, 'from'],
      [{ from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', bucket: 'DAY' }, 'to'],
    ];
    for (const [i, field] of cases) {
      const res = await server.gql(STATS, { i }, viewer);
      assert.equal(errorCode(res), 'BAD_USER_INPUT', JSON.stringify(res));
      assert.equal(res.errors![0]!.extensions!.field, field);
    }
    const cursor = await server.gql(`query($i: PresenceInput!) { presence(input: $i) { totalCount } }`, { i: { ...RANGE, after: 'not-a-cursor' } }, viewer);
    assert.equal(cursor.errors![0]!.extensions!.field, 'after');
    const gap = await server.gql(`query($i: VisitsInput!) { visits(input: $i) { totalCount } }`, { i: { ...RANGE, gapMinutes: 0 } }, viewer);
    assert.equal(gap.errors![0]!.extensions!.field, 'gapMinutes');
  });
});
