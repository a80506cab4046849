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

export type Gql = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/**
 * The import talks to the server like any client: POST /graphql with the tenant's API key.
 * A failed request (network or HTTP 5xx without data) is retried a few times with backoff,
 * because an import of thousands of photos should survive a server restart.
 */
export function createApiClient(serverUrl: string, apiKey: string, attempts = 3): Gql {
  const url = serverUrl.replace(/\/+$/, '').replace(/(\/graphql)?$/, '/graphql');
  return async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ query, variables }),
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
