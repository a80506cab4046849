/**
 * The field bytes of a single-column `COPY … TO STDOUT (FORMAT binary)` stream, in order, as they
 * arrive: node-postgres decodes every ordinary result field as UTF-8 text (its protocol parser has
 * no binary mode), so bytea comes back hex-encoded at twice the size with a decode on the event
 * loop, while COPY data arrives as raw buffers. A field larger than one network read is yielded in
 * parts. Layout (PostgreSQL docs, "COPY", binary format): an 11-byte signature, a 32-bit flags
 * word and a 32-bit header-extension length plus extension; per row a 16-bit field count (-1 ends
 * the data), then per field a 32-bit length (-1 for NULL) and that many bytes; all big-endian.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export interface CopiedField {
  /** Index of the row this part belongs to (0-based). */
  row: number;
  data: Buffer;
}

export async function* binaryCopyFields(stream: AsyncIterable<Buffer>): AsyncGenerator<CopiedField> {
  let pending = Buffer.alloc(0);
  let headerDone = false;
  let row = -1;
  let fieldLeft = 0;
  let fieldsLeft = 0;
  for await (const part of stream) {
    let buf = pending.length > 0 ? Buffer.concat([pending, part]) : part;
    for (;;) {
      if (fieldLeft > 0) {
        if (buf.length === 0) break;
        const take = Math.min(fieldLeft, buf.length);
        yield { row, data: buf.subarray(0, take) };
        fieldLeft -= take;
        buf = buf.subarray(take);
        continue;
      }
      if (!headerDone) {
        if (buf.length < 19) break;
        if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('Not a PostgreSQL binary COPY stream.');
        const extension = buf.readUInt32BE(15);
        if (buf.length < 19 + extension) break;
        buf = buf.subarray(19 + extension);
        headerDone = true;
      } else if (fieldsLeft === 0) {
        if (buf.length < 2) break;
        const fields = buf.readInt16BE(0);
        buf = buf.subarray(2);
        if (fields === -1) return;
        if (fields !== 1) throw new Error(`Binary COPY row with ${fields} fields where 1 was expected.`);
        row++;
        fieldsLeft = 1;
      } else {
        if (buf.length < 4) break;
        const length = buf.readInt32BE(0);
        buf = buf.subarray(4);
        fieldsLeft--;
        if (length < 0) throw new Error('Binary COPY field is NULL.');
        fieldLeft = length;
        if (length === 0) yield { row, data: Buffer.alloc(0) };
      }
    }
    pending = buf.length > 0 ? Buffer.from(buf) : Buffer.alloc(0);
  }
  throw new Error('Binary COPY stream ended before its trailer.');
}
