import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createEventAnnouncer } from '../../src/db/event-announcer.js';
import { RECOGNITION_EVENTS_CHANNEL } from '../../src/db/event-feed.js';
import { createScratchDb, type ScratchDb } from '../support/scratch-db.js';

let db: ScratchDb;
let listener: pg.Client;
const heard: { tenantId: string; ids: string[] }[] = [];
before(async () => {
  db = await createScratchDb();
  listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on('notification', (n) => heard.push(JSON.parse(n.payload!)));
  await listener.query(`LISTEN ${RECOGNITION_EVENTS_CHANNEL}`);
});
after(async () => {
  await listener.end();
  await db.drop();
});

const until = async (done: () => boolean) => {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
};
const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

test('announcements within the window leave together, by tenant, at most 100 ids a notice', async () => {
  heard.length = 0;
  const errors: unknown[] = [];
  const announcer = createEventAnnouncer(db.pool, { windowMs: 50, onError: (err) => errors.push(err) });
  const [a, b] = [randomUUID(), randomUUID()];
  const [a1, a2, b1] = [ids(1), ids(150), ids(2)];
  announcer.announce(a, a1);
  announcer.announce(b, b1);
  announcer.announce(a, a2);
  announcer.announce(b, []);
  assert.equal(heard.length, 0, 'nothing is sent before the window ends');
  await until(() => heard.length >= 3);
  assert.deepEqual(
    heard.map((h) => [h.tenantId, h.ids.length]),
    [[a, 100], [a, 51], [b, 2]],
  );
  assert.deepEqual(heard.filter((h) => h.tenantId === a).flatMap((h) => h.ids), [...a1, ...a2]);
  assert.deepEqual(errors, []);
  await announcer.close();
});

test('close sends what is waiting and drops what comes after', async () => {
  heard.length = 0;
  const announcer = createEventAnnouncer(db.pool, { windowMs: 60_000, onError: () => undefined });
  const tenant = randomUUID();
  const waiting = ids(3);
  announcer.announce(tenant, waiting);
  await announcer.close();
  announcer.announce(tenant, ids(1));
  await until(() => heard.length >= 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(heard, [{ tenantId: tenant, ids: waiting }]);
});

test('a failed send is reported, and the next batch still goes', async () => {
  heard.length = 0;
  const errors: unknown[] = [];
  const broken = new pg.Pool({ connectionString: db.url.replace(/\/[^/]*$/, '/visage_no_such_database'), max: 1 });
  broken.on('error', () => undefined);
  const announcer = createEventAnnouncer(broken, { windowMs: 10, onError: (err) => errors.push(err) });
  announcer.announce(randomUUID(), ids(1));
  await until(() => errors.length > 0);
  assert.match(String(errors[0]), /does not exist/);
  await announcer.close();
  await broken.end();
  const working = createEventAnnouncer(db.pool, { windowMs: 10, onError: (err) => errors.push(err) });
  working.announce(randomUUID(), ids(1));
  await until(() => heard.length >= 1);
  assert.equal(heard.length, 1);
  await working.close();
});
