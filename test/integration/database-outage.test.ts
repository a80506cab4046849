import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServer, type ChildServer } from '../support/child-server.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';
import { IDENTIFY, post, seedTenant, storedEvents, type Answer, type SeededTenant } from '../support/outage-client.js';
import { TEST_EMBEDDED } from '../support/test-database.js';

/**
 * PostgreSQL stopped under a running server (a cluster of the test's own: the shared one is never
 * stopped). Identify keeps answering from memory, its events are buffered on disk and written
 * once when the database is back, even across a SIGKILL; everything else answers 503.
 */
const OUTAGE_MS = 10_000;
const skip = TEST_EMBEDDED && 'needs a PostgreSQL server it can stop';

let pg: OwnPostgres;
let dataDir: string;
let server: ChildServer | undefined;
const env = () => ({ DATABASE_URL: pg.url, VISAGE_DATA_DIR: dataDir, VISAGE_SYNC_INTERVAL_MS: '1000' });

before(async () => {
  if (skip) return;
  pg = await startOwnPostgres();
  dataDir = await mkdtemp(path.join(tmpdir(), 'visage-outage-'));
});
after(async () => {
  server?.process.kill('SIGKILL');
  await server?.exited;
  await pg?.remove();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Identify calls one every 200 ms until `until` resolves. */
async function stream(url: string, token: string, tenant: SeededTenant, until: Promise<unknown>): Promise<Answer[]> {
  const answers: Answer[] = [];
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const tick = sleep(200);
    answers.push(await post(url, IDENTIFY, { input: { image: tenant.probe, source: 'door-1' } }, token));
    await tick;
  }
  return answers;
}

/** Runs a test body; a failure carries the end of the server's log. */
async function withServerLog(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof Error) err.message += `\n--- server output ---\n${server?.output().slice(-4000) ?? ''}`;
    throw err;
  }
}

function describeAnswer(a: Answer): string {
  return `${a.status} ${JSON.stringify(a.errors ?? a.data)}`;
}

describe('a PostgreSQL outage', { skip }, () => {
  it('identify (and verify) answers every call through a 10 s stop, degraded; events are stored once after; writes answer 503; a revoked key stops at recovery', () => withServerLog(async () => {
    server = await spawnServer(env());
    const tenant = await seedTenant(server.url);
    const client = await tenant.createKey('CLIENT');
    const revoked = await tenant.createKey('CLIENT');
    const neverUsed = await tenant.createKey('CLIENT');
    // A second tenant whose index this process has never loaded.
    const cold = await seedTenant(server.url);
    // Both keys are verified once, then one is revoked just before the database stops.
    assert.equal((await post(server.url, IDENTIFY, { input: { image: tenant.probe } }, revoked.secret)).status, 200);
    const revoke = await post(server.url, 'mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { revokedAt } }', { input: { id: revoked.id } }, tenant.admin);
    assert.equal(revoke.errors, undefined, JSON.stringify(revoke.errors));

    let stoppedAt = 0;
    let startedAt = 0;
    const during: Record<string, Answer> = {};
    const outage = (async () => {
      await sleep(1000);
      await pg.stop();
      stoppedAt = Date.now();
      await sleep(1000);
      during.enroll = await post(server!.url, 'mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { id } } }', { input: { personId: tenant.personId, images: [tenant.extraPhoto] } }, tenant.admin);
      during.createPerson = await post(server!.url, 'mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }', { input: { displayName: 'Bob' } }, tenant.admin);
      during.events = await post(server!.url, '{ recognitionEvents(first: 1) { totalCount } }', {}, tenant.admin);
      during.coldIndex = await post(server!.url, IDENTIFY, { input: { image: cold.probe } }, cold.admin);
      during.neverUsedKey = await post(server!.url, IDENTIFY, { input: { image: tenant.probe } }, neverUsed.secret);
      during.revokedKey = await post(server!.url, IDENTIFY, { input: { image: tenant.probe } }, revoked.secret);
      during.verify = await post(server!.url, 'mutation($input: VerifyInput!) { verify(input: $input) { decision eventId } }', { input: { image: tenant.probe, personId: tenant.personId } }, client.secret);
      during.frames = await post(server!.url, 'mutation($input: IdentifyFramesInput!) { identifyFrames(input: $input) { tracks { decision person { id } } eventIds } }', { input: { frames: [tenant.probe, tenant.probe] } }, client.secret);
      await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
      startedAt = Date.now();
      await pg.start();
      await sleep(3000);
    })();
    const answers = await stream(server.url, client.secret, tenant, outage);
    await outage;

    for (const a of answers) assert.ok(a.status === 200 && a.errors === undefined && a.data?.identify.faces[0]?.person?.id === tenant.personId, describeAnswer(a));
    const inOutage = answers.filter((a) => a.startedAt > stoppedAt + 100 && a.startedAt + a.ms < startedAt);
    // How many depends on the machine's load (an identify can take a second on a busy one).
    assert.ok(inOutage.length >= 3, `only ${inOutage.length} calls fell inside the outage`);
    assert.ok(inOutage.every((a) => a.degraded), 'every answer during the outage says degraded');
    assert.ok(!answers.at(-1)!.degraded, 'answers are no longer degraded after recovery');

    for (const name of ['enroll', 'createPerson', 'events', 'neverUsedKey'] as const) {
      const a = during[name]!;
      assert.equal(a.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE', `${name}: ${describeAnswer(a)}`);
      assert.equal(a.status, 503, name);
      assert.ok(Number(a.retryAfter) > 0, `${name} has Retry-After`);
    }
    // The trade-off of the key cache: a key the database confirmed minutes ago works while it
    // cannot be asked; once it answers, the revocation holds.
    assert.equal(during.revokedKey!.status, 200, describeAnswer(during.revokedKey!));
    assert.equal(during.coldIndex!.errors?.[0]?.extensions?.code, 'INDEX_UNAVAILABLE', describeAnswer(during.coldIndex!));
    const frames = during.frames!;
    assert.ok(frames.status === 200 && frames.degraded && frames.data?.identifyFrames.tracks[0]?.person?.id === tenant.personId, `identifyFrames: ${describeAnswer(frames)}`);
    // verify's exact comparison needs PostgreSQL; through the outage it is answered from the hot index.
    const verify = during.verify!;
    assert.ok(verify.status === 200 && verify.degraded && verify.data?.verify.decision === 'MATCH', `verify: ${describeAnswer(verify)}`);
    const revokedAfter = await post(server.url, IDENTIFY, { input: { image: tenant.probe } }, revoked.secret);
    assert.equal(revokedAfter.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED');

    const ids = [...answers.flatMap((a) => a.data.identify.eventIds as string[]), ...(frames.data.identifyFrames.eventIds as string[]), verify.data.verify.eventId as string];
    const { missing, total } = await storedEvents(pg.url, tenant.tenantId, ids);
    assert.deepEqual(missing, [], 'every returned event id is stored');
    // One event per answered call, plus the revoked key's two accepted identify calls: none twice.
    assert.equal(total, ids.length + 2);
    const faces = await post(server.url, '{ person(id: "' + tenant.personId + '") { faces { id } } }', {}, tenant.admin);
    assert.equal(faces.data?.person.faces.length, 3, `the enrollment during the outage stored nothing: ${describeAnswer(faces)}`);
  }));

  it('events buffered by a process killed during the outage are written when it restarts, before it is ready', () => withServerLog(async () => {
    server ??= await spawnServer(env());
    const tenant = await seedTenant(server.url);
    const port = Number(new URL(server.url).port);
    // The tenant's index, settings and person are in memory once it has been served.
    assert.equal((await post(server.url, IDENTIFY, { input: { image: tenant.probe } }, tenant.admin)).status, 200);
    await pg.stop();
    const answers: Answer[] = [];
    for (let i = 0; i < 10; i++) answers.push(await post(server.url, IDENTIFY, { input: { image: tenant.probe } }, tenant.admin));
    for (const a of answers) assert.ok(a.status === 200 && a.errors === undefined && a.degraded, describeAnswer(a));
    server.process.kill('SIGKILL');
    await server.exited;
    await pg.start();
    server = await spawnServer(env(), port);
    // spawnServer returned at the first ready /readyz: the replay has already happened.
    const ids = answers.flatMap((a) => a.data.identify.eventIds as string[]);
    const { missing, total } = await storedEvents(pg.url, tenant.tenantId, ids);
    assert.deepEqual(missing, []);
    assert.equal(total, ids.length + 1);
  }));

  it('past the grace, identify answers SERVICE_UNAVAILABLE (and stores nothing) and /readyz says 503 until the database is back', () => withServerLog(async () => {
    server?.process.kill('SIGKILL');
    await server?.exited;
    server = await spawnServer({ ...env(), VISAGE_DB_OUTAGE_GRACE_MS: '5000' });
    const tenant = await seedTenant(server.url);
    const warm = await post(server.url, IDENTIFY, { input: { image: tenant.probe } }, tenant.admin);
    await pg.stop();
    const stoppedAt = Date.now();
    const within = await post(server.url, IDENTIFY, { input: { image: tenant.probe } }, tenant.admin);
    assert.ok(within.status === 200 && within.degraded, describeAnswer(within));
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200, 'ready (degraded) within the grace');
    await sleep(5000 - (Date.now() - stoppedAt) + 200);
    const past = await post(server.url, IDENTIFY, { input: { image: tenant.probe } }, tenant.admin);
    assert.equal(past.errors?.[0]?.extensions?.code, 'SERVICE_UNAVAILABLE', describeAnswer(past));
    assert.equal(past.status, 503);
    assert.ok(Number(past.retryAfter) > 0);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503, 'not ready past the grace');
    await pg.start();
    const answered = [warm, within];
    let back: Answer | undefined;
    for (let i = 0; i < 50 && !(back?.status === 200 && !back.degraded); i++) {
      await sleep(200);
      back = await post(server.url, IDENTIFY, { input: { image: tenant.probe } }, tenant.admin);
      if (back.status === 200) answered.push(back);
    }
    assert.ok(back?.status === 200 && !back.degraded, describeAnswer(back!));
    const ids = answered.flatMap((a) => a.data.identify.eventIds as string[]);
    const { missing, total } = await storedEvents(pg.url, tenant.tenantId, ids);
    assert.deepEqual(missing, []);
    assert.equal(total, ids.length, 'a refused call stored no event');
  }));
});
