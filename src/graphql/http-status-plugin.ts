import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorCode } from '../errors.js';

/**
 * Codes a client must see in the HTTP status too, because proxies, load balancers and retrying
 * HTTP clients act on it. Each carries its wait in `retryAfterMs` or `retryAfterSeconds`.
 */
export const RETRYABLE_STATUS: Partial<Record<ErrorCode, 429 | 503>> = {
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  SERVER_BUSY: 503,
  SERVICE_UNAVAILABLE: 503,
};

/** Retry-After in whole seconds (RFC 9110), at least 1, from an error's details or extensions. */
export function retryAfterHeader(details: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const ms = details?.retryAfterMs;
  const seconds = details?.retryAfterSeconds;
  if (typeof ms === 'number') return String(Math.max(1, Math.ceil(ms / 1000)));
  if (typeof seconds === 'number') return String(Math.max(1, Math.ceil(seconds)));
  return undefined;
}

/**
 * A GraphQL answer whose errors include a retryable code gets that HTTP status (503 before 429:
 * the server's trouble outranks the caller's budget) and the shortest wait among them.
 */
export function httpStatusPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const retryable = (response.body.singleResult.errors ?? []).flatMap((e) => {
            const status = RETRYABLE_STATUS[e.extensions?.code as ErrorCode];
            return status ? [{ status, wait: retryAfterHeader(e.extensions) }] : [];
          });
          if (retryable.length === 0) return;
          const status = Math.max(...retryable.map((r) => r.status));
          response.http.status = status;
          const waits = retryable.filter((r) => r.status === status && r.wait !== undefined).map((r) => Number(r.wait));
          if (waits.length > 0) response.http.headers.set('retry-after', String(Math.min(...waits)));
        },
      };
    },
  };
}
