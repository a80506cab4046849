import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { UploadedFile } from '../domain/uploaded-file.js';
import { bodyTooLarge, refuseDeclaredOversize } from './read-body.js';

/** A request the client must fix before sending again (HTTP 400, `BAD_REQUEST`). */
export class MalformedRequestError extends Error {}

export interface MultipartLimits {
  /** The whole body, files and fields together. */
  maxBytes: number;
  /** File parts in one request. */
  maxFiles: number;
}

const SPEC = 'See the GraphQL multipart request spec: an "operations" field (the JSON body), a "map" field, then the files.';
/** Path segments a map entry may not walk through: they would reach an object's prototype. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_PATH_SEGMENTS = 16;

/**
 * A multipart/form-data GraphQL request (https://github.com/jaydenseric/graphql-multipart-request-spec)
 * → the JSON body Apollo expects, with each file placed where `map` says as an UploadedFile. The
 * files stay in memory: they are images bound for a worker, and the whole body is bounded by
 * `maxBytes` as a JSON body is. busboy parses the parts; the spec's `map` is applied here since the
 * spec's server packages either spool files to disk (graphql-upload) or target another server.
 */
export async function readMultipart(req: IncomingMessage, limits: MultipartLimits): Promise<Record<string, unknown>> {
  refuseDeclaredOversize(req, limits.maxBytes);
  const fields = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  await new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: limits.maxFiles, fields: 2, fieldSize: limits.maxBytes, fileSize: limits.maxBytes } });
    } catch (err) {
      reject(new MalformedRequestError(`The multipart request could not be read: ${(err as Error).message}. ${SPEC}`));
      return;
    }
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      reject(err);
    };
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) fail(bodyTooLarge(limits.maxBytes));
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(bodyTooLarge(limits.maxBytes));
      else if (name !== 'operations' && name !== 'map') fail(new MalformedRequestError(`Unexpected field "${name.slice(0, 40)}". ${SPEC}`));
      else fields.set(name, value);
    });
    // Done when the parser has closed and every file stream has ended, in whichever order they come.
    let parsed = false;
    let reading = 0;
    const settle = () => {
      if (parsed && reading === 0 && !failed) resolve();
    };
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      reading++;
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(bodyTooLarge(limits.maxBytes)));
      stream.on('end', () => {
        files.set(name, new UploadedFile(Buffer.concat(chunks), info.filename ?? null, info.mimeType));
        reading--;
        settle();
      });
    });
    parser.on('filesLimit', () => fail(new MalformedRequestError(`At most ${limits.maxFiles} files may be sent in one request.`)));
    parser.on('fieldsLimit', () => fail(new MalformedRequestError(`Only the "operations" and "map" fields may be sent. ${SPEC}`)));
    parser.on('error', (err: Error) => fail(new MalformedRequestError(`The multipart request could not be read: ${err.message}. ${SPEC}`)));
    parser.on('close', () => {
      parsed = true;
      settle();
    });
    req.on('error', (err) => fail(new MalformedRequestError(`The request could not be read: ${err.message}.`)));
    // busboy waits for the rest of a part that will never come: without this, a client that
    // hangs up mid-upload would leave the request pending with its chunks held.
    req.once('close', () => {
      if (!req.complete) fail(new MalformedRequestError('The request ended before its body was complete.'));
    });
    req.pipe(parser);
  });
  return withFilesPlaced(fields, files);
}

function withFilesPlaced(fields: Map<string, string>, files: Map<string, UploadedFile>): Record<string, unknown> {
  const operations = parseField(fields, 'operations');
  if (operations === null || typeof operations !== 'object' || Array.isArray(operations)) {
    throw new MalformedRequestError('"operations" must be one GraphQL request object ({"query", "variables"}); batches are not accepted.');
  }
  const map = parseField(fields, 'map');
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw new MalformedRequestError(`"map" must be an object of file field names to paths. ${SPEC}`);
  const placed = new Set<string>();
  for (const [name, paths] of Object.entries(map as Record<string, unknown>)) {
    const file = files.get(name);
    if (!file) throw new MalformedRequestError(`"map" names the file "${name.slice(0, 40)}", which was not sent.`);
    if (!Array.isArray(paths) || paths.length !== 1 || typeof paths[0] !== 'string') {
      throw new MalformedRequestError(`"map" must give each file exactly one path (file "${name.slice(0, 40)}"); send a file once per variable that uses it.`);
    }
    place(operations as Record<string, unknown>, paths[0], file);
    placed.add(name);
  }
  const unmapped = [...files.keys()].find((name) => !placed.has(name));
  if (unmapped !== undefined) throw new MalformedRequestError(`The file "${unmapped.slice(0, 40)}" is not named in "map".`);
  return operations as Record<string, unknown>;
}

function parseField(fields: Map<string, string>, name: 'operations' | 'map'): unknown {
  const text = fields.get(name);
  if (text === undefined) throw new MalformedRequestError(`The "${name}" field is missing. ${SPEC}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedRequestError(`The "${name}" field is not valid JSON.`);
  }
}

/** Puts `file` at a dotted path under "variables", where the client left null for it. */
function place(operations: Record<string, unknown>, path: string, file: UploadedFile): void {
  const segments = path.split('.');
  const invalid = () => new MalformedRequestError(`"map" path "${path.slice(0, 100)}" does not lead to a null under "variables".`);
  if (segments[0] !== 'variables' || segments.length < 2 || segments.length > MAX_PATH_SEGMENTS || segments.some((s) => FORBIDDEN_SEGMENTS.has(s))) throw invalid();
  let parent: unknown = operations;
  for (const segment of segments.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, segment)) throw invalid();
    parent = (parent as Record<string, unknown>)[segment];
  }
  const leaf = segments.at(-1)!;
  if (parent === null || typeof parent !== 'object' || !Object.hasOwn(parent, leaf) || (parent as Record<string, unknown>)[leaf] !== null) throw invalid();
  (parent as Record<string, unknown>)[leaf] = file;
}
