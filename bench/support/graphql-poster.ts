import http from 'node:http';

export interface GraphQLPoster {
  /** POSTs a body serialised by `graphqlBody()` or `multipartBody()` and returns the parsed answer; throws on GraphQL errors. */
  post(body: Buffer | MultipartBody, token: string): Promise<any>;
  close(): void;
}

/** A GraphQL request serialised once, so a benchmark that repeats it does not re-stringify a megabyte of base64 per call. */
export function graphqlBody(query: string, variables: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ query, variables }));
}

export interface MultipartBody {
  bytes: Buffer;
  contentType: string;
}

const BOUNDARY = 'visage-bench-boundary-7d1f0c';

/**
 * A GraphQL multipart request (the spec's "operations", "map", then one file part per entry of
 * `files`, each placed at its variable path), serialised once like `graphqlBody`.
 */
export function multipartBody(query: string, variables: Record<string, unknown>, files: { path: string; bytes: Buffer }[]): MultipartBody {
  const part = (headers: string, content: Buffer | string) => [Buffer.from(`--${BOUNDARY}\r\n${headers}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')];
  const map = Object.fromEntries(files.map((f, i) => [String(i), [f.path]]));
  return {
    bytes: Buffer.concat([
      ...part('Content-Disposition: form-data; name="operations"', JSON.stringify({ query, variables })),
      ...part('Content-Disposition: form-data; name="map"', JSON.stringify(map)),
      ...files.flatMap((f, i) => part(`Content-Disposition: form-data; name="${i}"; filename="${i}.jpg"\r\nContent-Type: application/octet-stream`, f.bytes)),
      Buffer.from(`--${BOUNDARY}--\r\n`),
    ]),
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
  };
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
      const [bytes, contentType] = Buffer.isBuffer(body) ? [body, 'application/json'] : [body.bytes, body.contentType];
      return new Promise((resolve, reject) => {
        const req = http.request(
          { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': contentType, 'content-length': bytes.length, authorization: `Bearer ${token}` } },
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
        req.end(bytes);
      });
    },
    close: () => agent.destroy(),
  };
}
