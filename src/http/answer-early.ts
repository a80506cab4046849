import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppError } from '../errors.js';
import { retryAfterHeader } from '../graphql/http-status-plugin.js';

/** How long a client may keep uploading a body we refused before its connection is cut. */
const LINGER_MS = 1000;

/**
 * Answers a request whose body will not be used (refused from its headers, or too large).
 * Closing the socket at once would make the kernel reset the connection while the client is still
 * sending, and a reset discards our answer before the client reads it. So the rest of the body is
 * discarded as it arrives (nothing is buffered: Node drops an unread request body) for at most
 * LINGER_MS, long enough for the client to read the answer and stop; then the connection is cut.
 */
export function answerEarly(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  if (req.complete) return;
  const cut = setTimeout(() => {
    if (!req.complete) req.socket.destroy();
  }, LINGER_MS);
  cut.unref();
  req.once('close', () => clearTimeout(cut));
}

/** A request refused from its headers (src/http/request-auth.ts), answered as a GraphQL error. */
export function answerRefusal(req: IncomingMessage, res: ServerResponse, status: number, error: AppError): void {
  const retryAfter = retryAfterHeader(error.details);
  const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
  answerEarly(req, res, status, headers, JSON.stringify({ errors: [{ message: error.message, extensions: { ...error.details, code: error.code } }] }));
}
