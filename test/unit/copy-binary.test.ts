import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryCopyFields } from '../../src/db/copy-binary.js';

/** A single-column binary COPY stream of `rows`, as PostgreSQL writes it. */
function copyStream(rows: Buffer[], extension = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(19);
  header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  header.writeUInt32BE(extension.length, 15);
  const body = rows.flatMap((data) => {
    const head = Buffer.alloc(6);
    head.writeInt16BE(1, 0);
    head.writeInt32BE(data.length, 2);
    return [head, data];
  });
  return Buffer.concat([header, extension, ...body, Buffer.from([0xff, 0xff])]);
}

async function* split(buf: Buffer, every: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < buf.length; at += every) yield buf.subarray(at, at + every);
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const rows: Buffer[][] = [];
  for await (const { row, data } of binaryCopyFields(stream)) (rows[row] ??= []).push(Buffer.from(data));
  return rows.map((parts) => Buffer.concat(parts));
}

test('binary COPY fields come back whole and in order, however the stream is split', async () => {
  const rows = [Buffer.from('first chunk'), Buffer.alloc(0), Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256))];
  const stream = copyStream(rows, Buffer.from('ext'));
  for (const every of [1, 2, 5, 7, 19, 64, stream.length]) {
    assert.deepEqual(await collect(split(stream, every)), rows, `split every ${every} bytes`);
  }
});

test('a binary COPY stream without its trailer, or not one at all, is an error', async () => {
  const stream = copyStream([Buffer.from('abc')]);
  await assert.rejects(collect(split(stream.subarray(0, stream.length - 2), 4)), /ended before its trailer/);
  await assert.rejects(collect(split(Buffer.from('not a copy stream at all'), 4)), /Not a PostgreSQL binary COPY/);
});
