import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFace, type VoteParams } from '../../src/identify/vote.js';
import type { Neighbour } from '../../src/search/index.js';
import { AppError } from '../../src/errors.js';

const n = (label: string, distance: number): Neighbour => ({ label, distance });
const params = (k1: number, k2: number, threshold: number): VoteParams => ({ k1, k2, threshold });

test('empty gallery is UNKNOWN with a null distance', () => {
  assert.deepEqual(classifyFace([], params(1, 3, 1)), { decision: 'UNKNOWN', votes: 0, distance: null });
});

test('nearest neighbour beyond the threshold is UNKNOWN and reports that distance', () => {
  const result = classifyFace([n('a', 1.2), n('a', 1.3), n('b', 1.4)], params(3, 5, 1.0));
  assert.deepEqual(result, { decision: 'UNKNOWN', votes: 0, distance: 1.2 });
});

test('k1 = 1 takes the nearest neighbour within the threshold', () => {
  const result = classifyFace([n('a', 0.5), n('b', 0.6), n('b', 0.7)], params(1, 1, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 1, distance: 0.5 });
});

test('k1 = 1 is never a tie, so k2 does not override the nearest neighbour', () => {
  const result = classifyFace([n('a', 0.5), n('b', 0.6), n('b', 0.7)], params(1, 3, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 1, distance: 0.5 });
});

test('strict plurality among the first k1 wins and votes count the winner only', () => {
  const result = classifyFace([n('b', 0.3), n('a', 0.4), n('a', 0.5), n('c', 0.6), n('c', 0.61), n('c', 0.62)], params(4, 6, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 2, distance: 0.4 });
});

test('neighbours beyond the threshold do not vote even inside k1', () => {
  // b would win 2:1 if the far neighbours voted.
  const result = classifyFace([n('a', 0.4), n('b', 1.1), n('b', 1.2)], params(3, 3, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 1, distance: 0.4 });
});

test('a distance equal to the threshold votes', () => {
  const result = classifyFace([n('a', 0.8)], params(1, 3, 0.8));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 1, distance: 0.8 });
});

test('a distance just above the threshold does not vote', () => {
  const result = classifyFace([n('a', 0.8000001)], params(1, 3, 0.8));
  assert.equal(result.decision, 'UNKNOWN');
});

test('a tie in the first k1 is broken by the votes of neighbours k1+1..k2', () => {
  // a and b tie 1:1 in k1 = 2; a is nearer, but b gains the extension vote.
  const result = classifyFace([n('a', 0.3), n('b', 0.4), n('b', 0.5), n('a', 1.5)], params(2, 4, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'b', votes: 2, distance: 0.4 });
});

test('extension votes beyond the threshold do not count', () => {
  // b's third neighbour is too far, so the tie stays and the mean distance picks a.
  const result = classifyFace([n('a', 0.3), n('b', 0.4), n('b', 1.1)], params(2, 3, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 1, distance: 0.3 });
});

test('a tie left after the k2 extension goes to the smaller mean distance', () => {
  // 2:2 after k2 = 4; means a = 0.45, b = 0.40.
  const result = classifyFace([n('a', 0.2), n('b', 0.3), n('b', 0.5), n('a', 0.7)], params(2, 4, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'b', votes: 2, distance: 0.3 });
});

test('a tie with k2 <= k1 goes straight to the mean distance', () => {
  const result = classifyFace([n('a', 0.2), n('b', 0.25), n('b', 0.3), n('a', 0.5)], params(4, 2, 1.0));
  // 2:2, means a = 0.35, b = 0.275.
  assert.deepEqual(result, { decision: 'MATCH', label: 'b', votes: 2, distance: 0.25 });
});

test('equal votes and equal mean distance go to the label ranked first', () => {
  const result = classifyFace([n('x', 0.5), n('y', 0.5)], params(2, 2, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'x', votes: 1, distance: 0.5 });
});

test('the k2 extension lets a label outside the tie win with more votes', () => {
  const result = classifyFace([n('a', 0.1), n('b', 0.2), n('c', 0.3), n('c', 0.4), n('c', 0.5)], params(2, 5, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'c', votes: 3, distance: 0.3 });
});

test('k2 larger than the gallery uses what there is', () => {
  const result = classifyFace([n('a', 0.2), n('b', 0.3), n('a', 0.4)], params(2, 50, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 2, distance: 0.2 });
});

test('k1 larger than the gallery uses what there is', () => {
  const result = classifyFace([n('a', 0.2)], params(5, 10, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 1, distance: 0.2 });
});

test('unsorted input is treated in distance order', () => {
  const result = classifyFace([n('b', 0.9), n('a', 0.1)], params(1, 1, 1.0));
  assert.deepEqual(result, { decision: 'MATCH', label: 'a', votes: 1, distance: 0.1 });
});

test('the input array is not mutated', () => {
  const input = [n('b', 0.9), n('a', 0.1)];
  classifyFace(input, params(1, 1, 1.0));
  assert.deepEqual(input, [n('b', 0.9), n('a', 0.1)]);
});

test('invalid parameters are rejected as bad input naming the field', () => {
  for (const [bad, field] of [
    [params(0, 3, 1), 'k1'],
    [params(1.5, 3, 1), 'k1'],
    [params(1, 0, 1), 'k2'],
    [params(1, 3, Number.NaN), 'threshold'],
    [params(1, 3, -0.1), 'threshold'],
  ] as const) {
    assert.throws(
      () => classifyFace([n('a', 0.1)], bad),
      (err: unknown) => err instanceof AppError && err.code === 'BAD_USER_INPUT' && err.details['field'] === field,
    );
  }
});
