import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, type TestTenant } from '../support/factories.js';
import { generateEvents, type GeneratedEvent } from '../support/event-generator.js';
import { createRepositories } from '../../src/db/index.js';

/** CSV exports: streamed, filtered like the GraphQL reports, behind the same key and roles. */
let server: TestServer;
let a: TestTenant;
let b: TestTenant;
let viewer: string;
let person: { id: string; displayName: string; externalId: string | null };
const events: GeneratedEvent[] = [];
const FROM = new Date('2026-06-01T00:00:00Z');

async function get(path: string, token?: string) {
  return fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

before(async () => {
  server = await startTestServer();
  a = await createTenant(server);
  b = await createTenant(server);
  viewer = (await createKey(server, a, 'VIEWER')).secret;
  person = await createPerson(server, a.secret, { displayName: 'Ada, "the first"', externalId: 'emp-1' });
  const other = await createPerson(server, a.secret);
  events.push(...generateEvents({ seed: 7, from: FROM, stepMs: 30_000, count: 10_000, people: [person.id, other.id], sources: ['door-1', 'door, side'] }));
  const repos = createRepositories(server.app.db);
  for (let i = 0; i < events.length; i += 1000) await repos.events.insertMany(a.id, events.slice(i, i + 1000));
  await repos.events.insertMany(b.id, [...generateEvents({ seed: 8, from: FROM, stepMs: 60_000, count: 20, people: [], sources: ['b-door'] })]);
});
after(async () => server?.stop());

const num = (v: string) => (v === '' ? null : Number(v));

describe('GET /export/recognition-events.csv', () => {
  it('10,000 rows parse back to the same events, oldest first', async () => {
    const res = await get('/export/recognition-events.csv', viewer);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, events.length);
    for (const [i, e] of events.entries()) {
      const r = rows[i]!;
      assert.equal(r.createdAt, e.createdAt.toISOString());
      assert.equal(r.decision, e.decision);
      assert.equal(r.personId || null, e.personId);
      assert.equal(r.source, e.source);
      assert.equal(num(r.distance!), e.distance);
      assert.equal(num(r.margin!), e.margin);
      assert.equal(num(r.faceQuality!), e.faceQuality);
      assert.equal(Number(r.latencyMs), e.latencyMs);
      assert.equal(num(r.boxWidth!), e.box?.width ?? null);
      if (e.personId === person.id) assert.deepEqual([r.personDisplayName, r.personExternalId], [person.displayName, 'emp-1']);
    }
  });

  it('applies the recognitionEvents filters from the query string', async () => {
    const to = new Date(FROM.getTime() + 3600_000);
    const res = await get(`/export/recognition-events.csv?decision=MATCH&source=${encodeURIComponent('door, side')}&personId=${person.id}&from=${FROM.toISOString()}&to=${to.toISOString()}`, viewer);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const expected = events.filter((e) => e.decision === 'MATCH' && e.source === 'door, side' && e.personId === person.id && e.createdAt < to);
    assert.ok(expected.length > 0);
    assert.deepEqual(rows.map((r) => r.createdAt), expected.map((e) => e.createdAt.toISOString()));
  });

  it('another tenant exports only its own events', async () => {
    const rows = parse(await (await get('/export/recognition-events.csv', b.secret)).text(), { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 20);
    assert.ok(rows.every((r) => r.source === 'b-door'));
  });

  it('refuses a missing key, a CLIENT key and a bad filter with a JSON error', async () => {
    const client = (await createKey(server, a, 'CLIENT')).secret;
    const cases: [string, string | undefined, number, string, string?][] = [
      ['/export/recognition-events.csv', undefined, 401, 'UNAUTHENTICATED'],
      ['/export/recognition-events.csv', 'vsk_bad_key', 401, 'UNAUTHENTICATED'],
      ['/export/recognition-events.csv', client, 403, 'FORBIDDEN'],
      ['/export/recognition-events.csv?decision=MAYBE', viewer, 400, 'BAD_USER_INPUT', 'decision'],
      ['/export/recognition-events.csv?from=yesterday', viewer, 400, 'BAD_USER_INPUT', 'from'],
      ['/export/recognition-stats.csv?from=2026-06-01T00:00:00Z', viewer, 400, 'BAD_USER_INPUT', 'to'],
      ['/export/people.csv', viewer, 404, 'NOT_FOUND'],
    ];
    for (const [path, token, status, code, field] of cases) {
      const res = await get(path, token);
      assert.equal(res.status, status, path);
      const body = (await res.json()) as { errors: { extensions: { code: string; field?: string } }[] };
      assert.equal(body.errors[0]!.extensions.code, code, path);
      if (field) assert.equal(body.errors[0]!.extensions.field, field, path);
    }
  });
});

describe('GET /export/recognition-stats.csv', () => {
  it('has the rows of recognitionStats for the same parameters', async () => {
    const params = { from: FROM.toISOString(), to: '2026-06-10T00:00:00Z', bucket: 'DAY', timeZone: 'Europe/Berlin', groupBy: ['DECISION', 'SOURCE'] };
    const gql = await server.gql(`query($i: RecognitionStatsInput!) { recognitionStats(input: $i) { bucketStart decision source count } }`, { i: params }, viewer);
    const csv = await get(`/export/recognition-stats.csv?from=${params.from}&to=${params.to}&bucket=DAY&timeZone=Europe/Berlin&groupBy=DECISION,SOURCE`, viewer);
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    assert.deepEqual(rows.map((r) => ({ bucketStart: r.bucketStart, decision: r.decision, source: r.source, count: Number(r.count) })), gql.data!.recognitionStats);
    assert.equal(rows.reduce((s, r) => s + Number(r.count), 0), events.length);
  });

  it('groups by gallery as recognitionStats does', async () => {
    const params = { from: FROM.toISOString(), to: '2026-06-10T00:00:00Z', bucket: 'WEEK', timeZone: 'UTC', groupBy: ['GALLERY'] };
    const gql = await server.gql(`query($i: RecognitionStatsInput!) { recognitionStats(input: $i) { bucketStart galleryId count } }`, { i: params }, viewer);
    assert.equal(gql.errors, undefined, JSON.stringify(gql.errors));
    const csv = await get(`/export/recognition-stats.csv?from=${params.from}&to=${params.to}&bucket=WEEK&timeZone=UTC&groupBy=GALLERY`, viewer);
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    const expected = gql.data!.recognitionStats.map((r: { bucketStart: string; galleryId: string | null; count: number }) => ({ bucketStart: r.bucketStart, galleryId: r.galleryId ?? '', count: r.count }));
    assert.ok(expected.length > 0);
    assert.deepEqual(rows.map((r) => ({ bucketStart: r.bucketStart, galleryId: r.galleryId, count: Number(r.count) })), expected);
  });
});
