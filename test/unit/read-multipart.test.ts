import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { MalformedRequestError, readMultipart } from '../../src/http/read-multipart.js';

const BOUNDARY = 'unit-boundary';

/** A request stream as node:http hands it over: headers, a body, and `complete` once it all came. */
function request(): PassThrough & { headers: IncomingMessage['headers']; complete: boolean } {
  return Object.assign(new PassThrough(), { headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, complete: false });
}

const part = (name: string, content: string, filename?: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n${content}\r\n`;

describe('readMultipart', () => {
  it('places each file at its variable', async () => {
    const req = request();
    const done = readMultipart(req as unknown as IncomingMessage, { maxBytes: 10_000, maxFiles: 2 });
    req.end(`${part('operations', '{"query":"q","variables":{"i":{"image":{"file":null}}}}')}${part('map', '{"0":["variables.i.image.file"]}')}${part('0', 'JPEGBYTES', 'a.jpg')}--${BOUNDARY}--\r\n`);
    req.complete = true;
    const body = (await done) as { variables: { i: { image: { file: { bytes: Buffer; filename: string } } } } };
    assert.equal(body.variables.i.image.file.bytes.toString(), 'JPEGBYTES');
    assert.equal(body.variables.i.image.file.filename, 'a.jpg');
  });

  it('gives up, holding nothing, when the client goes away in the middle of a file', async () => {
    const req = request();
    const done = readMultipart(req as unknown as IncomingMessage, { maxBytes: 10_000_000, maxFiles: 2 });
    req.write(`${part('operations', '{"query":"q","variables":{"f":null}}')}${part('map', '{"0":["variables.f"]}')}--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="a.jpg"\r\n\r\n${'x'.repeat(50_000)}`);
    setImmediate(() => req.destroy());
    const outcome = await Promise.race([done.then(() => 'resolved', (err: unknown) => err), new Promise((r) => setTimeout(() => r('still waiting'), 2_000))]);
    assert.ok(outcome instanceof MalformedRequestError, String(outcome));
  });
});
