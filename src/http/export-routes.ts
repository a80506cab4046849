import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CsvExport } from '../reports/export-service.js';
import type { Services } from '../services.js';
import { randomUUID } from 'node:crypto';
import { answerRefusal } from './answer-early.js';
import type { AuthenticateRequest } from './request-auth.js';

export interface ExportRouteDeps {
  /** The same check as /graphql's: throttles, request rates and statuses included. */
  authenticateRequest: AuthenticateRequest;
  services: Services;
  logger: Logger;
}

const STATUS: Partial<Record<ErrorCode, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

/**
 * GET /export/recognition-events.csv and /export/recognition-stats.csv with the Bearer key of
 * /graphql. Rows flow from keyset batches, a chunk of CSV per batch, to the socket with backpressure,
 * so memory stays flat however many rows there are; a client that hangs up stops the reads.
 */
export function createExportRoutes(deps: ExportRouteDeps) {
  const routes: Record<string, (viewer: Parameters<Services['exports']['recognitionEvents']>[0], params: URLSearchParams) => CsvExport | Promise<CsvExport>> = {
    '/export/recognition-events.csv': (viewer, params) => deps.services.exports.recognitionEvents(viewer, params),
    '/export/recognition-stats.csv': (viewer, params) => deps.services.exports.recognitionStats(viewer, params),
  };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const auth = await deps.authenticateRequest(req, randomUUID());
    if (auth.kind === 'refused') return answerRefusal(req, res, auth.status, auth.error);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[url.pathname];
    try {
      if (!route) throw new AppError('NOT_FOUND', `No export ${url.pathname}; there are ${Object.keys(routes).join(' and ')}.`);
      if (req.method !== 'GET') throw new AppError('BAD_USER_INPUT', 'Exports are read with GET.');
      const csv = await route(auth.viewer, url.searchParams);
      // The header and first batch are read before the status goes out, so a failing query still gets a JSON error.
      const chunks = csv.chunks;
      const header = await chunks.next();
      const first = await chunks.next();
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${csv.filename}"` });
      const all = (async function* () {
        yield header.value as string;
        if (!first.done) yield first.value;
        yield* chunks;
      })();
      await pipeline(Readable.from(all), res);
    } catch (err) {
      if (res.headersSent) {
        if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') deps.logger.error({ err }, 'export failed midway');
        res.destroy();
        return;
      }
      const appErr = isAppError(err) ? err : new AppError('INTERNAL_SERVER_ERROR', 'Internal server error');
      if (!isAppError(err)) deps.logger.error({ err }, 'export failed');
      res.writeHead(STATUS[appErr.code] ?? 500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: appErr.message, extensions: { ...appErr.details, code: appErr.code } }] }));
    }
  };
}
