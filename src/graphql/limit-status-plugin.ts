import type { ApolloServerPlugin } from '@apollo/server';
import { retryAfterSeconds } from '../quotas/limit-errors.js';

const LIMIT_CODES = new Set(['RATE_LIMITED', 'QUOTA_EXCEEDED']);

/**
 * A response carrying RATE_LIMITED or QUOTA_EXCEEDED (a quota met inside a resolver) is HTTP 429
 * with Retry-After, as HTTP clients and proxies expect, not 200 with an error inside.
 */
export function limitStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const limited = (response.body.singleResult.errors ?? []).filter((e) => LIMIT_CODES.has(String(e.extensions?.code)));
          if (limited.length === 0) return;
          response.http.status = 429;
          const waits = limited.map((e) => e.extensions?.retryAfterMs).filter((ms): ms is number => typeof ms === 'number');
          if (waits.length > 0) response.http.headers.set('retry-after', retryAfterSeconds(Math.min(...waits)));
        },
      };
    },
  };
}
