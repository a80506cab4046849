import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchPace } from '../../src/lifecycle/batch-pace.js';

test('a purge pauses as long as its last batch took (times the ratio), at most a second', async () => {
  let now = 0;
  const waits: number[] = [];
  const pause = batchPace(1, () => now, async (ms) => {
    waits.push(ms);
    now += ms;
  });
  now += 40; // first batch
  await pause();
  now += 5;
  await pause();
  now += 5000; // a batch stuck behind a lock
  await pause();
  assert.deepEqual(waits, [40, 5, 1000]);

  const gentler: number[] = [];
  const third = batchPace(2, () => now, async (ms) => void gentler.push(ms));
  now += 30;
  await third();
  assert.deepEqual(gentler, [60]);
});
