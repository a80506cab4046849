import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { csvChunks, csvField } from '../../src/reports/csv-lines.js';

it('quotes only fields that need it, doubling their quotes', () => {
  assert.equal(csvField('door-1'), 'door-1');
  assert.equal(csvField('door, side'), '"door, side"');
  assert.equal(csvField('Ada "the first"'), '"Ada ""the first"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(null), '');
  assert.equal(csvField(0.5), '0.5');
  assert.equal(csvField(new Date('2026-03-29T01:00:00Z')), '2026-03-29T01:00:00.000Z');
});

it('writes lines an independent CSV parser reads back unchanged', async () => {
  const rows = [
    { a: 'plain', b: 'with, comma', c: 'with "quotes"' },
    { a: 'line\r\nbreak', b: '', c: null },
  ];
  async function* batches() {
    yield rows;
  }
  let text = '';
  for await (const chunk of csvChunks(['a', 'b', 'c'], batches())) text += chunk;
  assert.deepEqual(parse(text, { columns: true }), rows.map((r) => ({ ...r, c: r.c ?? '' })));
});
