import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { AppError, isAppError } from '../errors.js';
import type { Authenticate } from '../auth/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { Services } from '../services.js';
import type { Logger } from '../logger.js';
import { readBody } from './read-body.js';

export interface GraphQLHandlerDeps {
  apollo: ApolloServer<GraphQLContext>;
  authenticate: Authenticate;
  services: Services;
  logger: Logger;
  maxBodyBytes: number;
}

/** POST/GET /graphql on a plain node:http server, through Apollo's integration API. */
export function createGraphQLHandler(deps: GraphQLHandlerDeps) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
    res.setHeader('x-request-id', requestId);
    const aborted = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    let body: unknown;
    try {
      const raw = await readBody(req, deps.maxBodyBytes);
      body = raw.length > 0 && req.method === 'POST' ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch (err) {
      const status = isAppError(err) ? 413 : 400;
      const error = isAppError(err)
        ? { message: err.message, extensions: { code: err.code } }
        : { message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } };
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [error] }));
      return;
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const response = await deps.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: url.search, body },
      context: async () => {
        try {
          const viewer = await deps.authenticate(req.headers.authorization);
          return { viewer, services: deps.services, requestId, signal: aborted.signal };
        } catch (err) {
          // A bad key fails the whole request with 401, before any resolver runs.
          const appErr = isAppError(err) ? err : new AppError('INTERNAL_SERVER_ERROR', 'Authentication failed unexpectedly.');
          if (!isAppError(err)) deps.logger.error({ err, requestId }, 'authentication failed');
          const status = appErr.code === 'UNAUTHENTICATED' ? 401 : appErr.code === 'TENANT_SUSPENDED' ? 403 : 500;
          throw new GraphQLError(appErr.message, { extensions: { ...appErr.details, code: appErr.code, http: { status } } });
        }
      },
    });
    const operation = typeof (body as { operationName?: unknown } | undefined)?.operationName === 'string' ? (body as { operationName: string }).operationName : undefined;
    deps.logger.info({ requestId, operation, status: response.status ?? 200, ms: Math.round(performance.now() - started) }, 'graphql request');
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}
