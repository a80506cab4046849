import http from 'node:http';

export interface GraphQLPoster {
  /** POSTs a body serialised by `body()` and returns the parsed answer; throws on GraphQL errors. */
  post(body: Buffer, token: string): Promise<any>;
  close(): void;
}

/** A GraphQL request serialised once, so a benchmark that repeats it does not re-stringify a megabyte of base64 per call. */
export function graphqlBody(query: string, variables: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ query, variables }));
}

/**
 * A keep-alive node:http client for a benchmark that shares the cores with the server it
 * measures: pre-serialised bodies and reused sockets keep the client's own CPU per request small
 * (fetch re-stringified the body and went through undici's stream machinery on every call).
 */
export function createGraphQLPoster(url: string, maxSockets = 8): GraphQLPoster {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const target = new URL(url);
  return {
    post(body, token) {
      return new Promise((resolve, reject) => {
        const req = http.request(
          { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              try {
                const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: any; errors?: unknown[] };
                if (answer.errors) reject(new Error(JSON.stringify(answer.errors)));
                else resolve(answer.data);
              } catch (err) {
                reject(err);
              }
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
