import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';

/** Reads a request body, refusing (before buffering it all) one larger than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  refuseDeclaredOversize(req, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw bodyTooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Refuses a body whose Content-Length already says it is larger than `limit`, before reading any of it. */
export function refuseDeclaredOversize(req: IncomingMessage, limit: number): void {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw bodyTooLarge(limit);
}

export function bodyTooLarge(limit: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `Request body exceeds ${limit} bytes; send fewer or smaller images per request.`);
}
