import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';

export interface HttpRoutes {
  graphql: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Problems that make this process unready; empty when ready. */
  readiness: () => Promise<string[]>;
  /** GET /export/*.csv */
  exports?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Subscriptions over GraphQL over Server-Sent Events (graphql-sse). */
  stream?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** GET /console and /console/*: the admin console's built files. */
  console?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

export interface HttpServer {
  listen(port: number, host: string): Promise<number>;
  /**
   * Stops accepting connections and waits (at most `graceMs`) for the requests in flight;
   * /readyz answers 503 from the first moment.
   */
  drain(graceMs: number): Promise<void>;
}

/** POST /graphql, GET /healthz (process up), /readyz (able to serve), /console; /metrics has a port of its own. */
export function createHttpServer(routes: HttpRoutes, logger: Logger): HttpServer {
  let draining = false;
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const route = async () => {
      if (url === '/graphql') return routes.graphql(req, res);
      if (url === '/graphql/stream' && routes.stream) return routes.stream(req, res);
      if (url?.startsWith('/export/') && routes.exports) return routes.exports(req, res);
      if ((url === '/console' || url?.startsWith('/console/')) && routes.console) return routes.console(req, res);
      if (url === '/healthz') return json(res, 200, { status: 'ok' });
      if (url === '/readyz') {
        const problems = draining ? ['shutting down'] : await routes.readiness();
        return json(res, problems.length === 0 ? 200 : 503, { status: problems.length === 0 ? 'ready' : 'not ready', problems });
      }
      return json(res, 404, { error: `No route ${url}; the API is POST /graphql.` });
    };
    route().catch((err: unknown) => {
      logger.error({ err }, 'request failed');
      if (!res.headersSent) json(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  });
  // Node closes an idle keep-alive socket after 5 s; a client that pauses longer than that between
  // requests (building a large upload) can send on a socket the server is closing and get a reset.
  // Clients' own idle timeouts (undici: 4 s) are shorter than this, so they close first.
  server.keepAliveTimeout = 30_000;

  return {
    listen: (port, host) =>
      new Promise((resolve) => {
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    async drain(graceMs) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections would otherwise hold the drain open until their timeout.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([closed, grace]);
      clearInterval(sweep);
      server.closeAllConnections();
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
