/** A GraphQL error as the server reports it: its message and stable `extensions.code`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A file sent as a multipart part, placed at `path` (e.g. "variables.input.images.0.file"), where the variables hold null. */
export interface UploadPart {
  path: string;
  bytes: Buffer;
  filename: string;
}

export type Gql = <T>(query: string, variables?: Record<string, unknown>, files?: readonly UploadPart[]) => Promise<T>;

/** The request's body: JSON, or with files the GraphQL multipart request the server reads (README, "Sending images as files"). */
function requestBody(query: string, variables: Record<string, unknown>, files: readonly UploadPart[]): { headers: Record<string, string>; body: string | FormData } {
  if (files.length === 0) return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) };
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables }));
  form.set('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [f.path]]))));
  files.forEach((f, i) => form.set(String(i), new Blob([f.bytes]), f.filename));
  return { headers: {}, body: form };
}

/**
 * The import talks to the server like any client: POST /graphql with the tenant's API key.
 * A failed request (network or HTTP 5xx without data) is retried a few times with backoff,
 * because an import of thousands of photos should survive a server restart.
 */
export function createApiClient(serverUrl: string, apiKey: string, attempts = 3): Gql {
  const url = serverUrl.replace(/\/+$/, '').replace(/(\/graphql)?$/, '/graphql');
  return async function gql<T>(query: string, variables: Record<string, unknown> = {}, files: readonly UploadPart[] = []): Promise<T> {
    const { headers, body: payload } = requestBody(query, variables, files);
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { ...headers, authorization: `Bearer ${apiKey}` },
          body: payload,
        });
        status = res.status;
        body = (await res.json()) as typeof body;
      } catch (err) {
        if (attempt < attempts) {
          await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
          continue;
        }
        throw new ApiError(`Cannot reach ${url}: ${(err as Error).message}`, 'UNREACHABLE');
      }
      const first = body.errors?.[0];
      if (first) throw new ApiError(first.message, first.extensions?.code ?? 'UNKNOWN');
      if (body.data) return body.data;
      if (status >= 500 && attempt < attempts) continue;
      throw new ApiError(`${url} answered HTTP ${status} without data`, 'UNKNOWN');
    }
  };
}
