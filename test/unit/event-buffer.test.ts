import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { EventBuffer, type StampedEvent } from '../../src/events/event-buffer.js';
import { isAppError } from '../../src/errors.js';
import { replayInsert } from '../../src/events/buffered-event-sink.js';
import { createLogger } from '../../src/logger.js';
import type { Repositories } from '../../src/db/index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'visage-event-buffer-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function event(n: number): StampedEvent {
  return {
    id: randomUUID(), createdAt: new Date(1_700_000_000_000 + n), personId: null, decision: 'UNKNOWN', distance: 1.2, votes: 0,
    k1: 1, k2: 3, threshold: 1.05, model: 'face-arcface-512', source: `cam-${n}`, frames: 1, latencyMs: 20, box: { x: 1, y: 2, width: 3, height: 4 },
  };
}

/** A fake database: the insert an EventBuffer drains into, failing while `down` is set. */
function fakeStore() {
  const rows: { tenantId: string; event: StampedEvent }[] = [];
  const store = {
    down: false,
    calls: 0,
    rows,
    async insert(tenantId: string, events: readonly StampedEvent[]) {
      store.calls++;
      if (store.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      for (const e of events) if (!rows.some((r) => r.event.id === e.id)) rows.push({ tenantId, event: e });
    },
  };
  return store;
}

it('writes what it holds in order, batching one tenant’s consecutive events, and empties its file', async () => {
  const file = path.join(dir, 'order.jsonl');
  const store = fakeStore();
  const { buffer } = await EventBuffer.open({ file, maxEvents: 100, insert: store.insert, batchEvents: 3 });
  const entries = [
    { tenantId: 'a', events: [event(1), event(2)] },
    { tenantId: 'a', events: [event(3)] },
    { tenantId: 'b', events: [event(4)] },
    { tenantId: 'a', events: [event(5)] },
  ];
  // Appended together: one write and one fsync for all of them.
  await Promise.all(entries.map((e) => buffer.append(e)));
  assert.equal(buffer.pending(), 5);
  assert.equal((await readFile(file, 'utf8')).trim().split('\n').length, 4);
  await buffer.drain();
  assert.equal(buffer.pending(), 0);
  assert.deepEqual(store.rows.map((r) => `${r.tenantId}:${r.event.source}`), ['a:cam-1', 'a:cam-2', 'a:cam-3', 'b:cam-4', 'a:cam-5']);
  assert.equal(store.calls, 3, 'a, a (batched), then b, then a');
  assert.equal(await readFile(file, 'utf8'), '');
  await buffer.close();
});

it('keeps everything when the database fails mid-drain and writes it once on the next drain', async () => {
  const file = path.join(dir, 'retry.jsonl');
  const store = fakeStore();
  const { buffer } = await EventBuffer.open({ file, maxEvents: 100, insert: store.insert });
  await buffer.append({ tenantId: 't', events: [event(1)] });
  store.down = true;
  await assert.rejects(buffer.drain(), /ECONNREFUSED/);
  assert.equal(buffer.pending(), 1);
  store.down = false;
  await buffer.drain();
  await buffer.drain();
  assert.equal(store.rows.length, 1);
  await buffer.close();
});

it('refuses with SERVICE_UNAVAILABLE when full, and stores nothing of the refused call', async () => {
  const { buffer } = await EventBuffer.open({ file: path.join(dir, 'full.jsonl'), maxEvents: 3, insert: fakeStore().insert });
  await buffer.append({ tenantId: 't', events: [event(1), event(2)] });
  const refused = await buffer.append({ tenantId: 't', events: [event(3), event(4)] }).catch((err: unknown) => err);
  assert.ok(isAppError(refused) && refused.code === 'SERVICE_UNAVAILABLE', String(refused));
  assert.equal(buffer.pending(), 2);
  await buffer.close();
});

it('a new process reloads the events a killed one left, skipping a line cut short, and writes each once', async () => {
  const file = path.join(dir, 'crash.jsonl');
  const first = await EventBuffer.open({ file, maxEvents: 100, insert: fakeStore().insert });
  const events = [event(1), event(2), event(3)];
  for (const e of events) await first.buffer.append({ tenantId: 't', events: [e] });
  await first.buffer.close();
  await appendFile(file, '{"tenantId":"t","events":[{"id":');

  const store = fakeStore();
  // The previous process had already written the first event before it died.
  await store.insert('t', [events[0]!]);
  const { buffer, tornLines } = await EventBuffer.open({ file, maxEvents: 100, insert: store.insert });
  assert.equal(tornLines, 1);
  assert.equal(buffer.pending(), 3);
  await buffer.drain();
  assert.deepEqual(store.rows.map((r) => r.event.id), events.map((e) => e.id));
  assert.ok(store.rows.every((r) => r.event.createdAt instanceof Date && r.event.createdAt.getTime() > 0));
  await buffer.close();
});

it('replays past a deleted person (stored without one) and a deleted tenant (dropped), without holding back the rest', async () => {
  const stored: { tenantId: string; id: string; personId: string | null }[] = [];
  const events = {
    async insertMany(tenantId: string, batch: readonly StampedEvent[]) {
      if (tenantId === 'gone' || batch.some((e) => e.personId === 'deleted')) throw Object.assign(new Error('violates foreign key'), { code: '23503' });
      for (const e of batch) stored.push({ tenantId, id: e.id, personId: e.personId });
      return batch.map((e) => e.id);
    },
  };
  const insert = replayInsert({ events } as unknown as Pick<Repositories, 'events'>, createLogger('silent'));
  const kept = { ...event(1), personId: 'alive' };
  const orphan = { ...event(2), personId: 'deleted' };
  await insert('t', [kept, orphan]);
  assert.deepEqual(stored.map((s) => s.personId), ['alive', null]);
  await insert('gone', [event(3)]);
  assert.equal(stored.length, 2);
});
