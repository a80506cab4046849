import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { isAppError } from '../errors.js';

/**
 * Codes a client must see in the HTTP status too, because proxies, load balancers and retrying
 * HTTP clients act on it: SERVER_BUSY → 503 with Retry-After (seconds).
 */
export function httpStatusPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ errors, response }) {
          for (const err of errors ?? []) {
            const original = unwrapResolverError(err);
            if (isAppError(original) && original.code === 'SERVER_BUSY') {
              response.http.status = 503;
              const ms = typeof original.details.retryAfterMs === 'number' ? original.details.retryAfterMs : 1000;
              response.http.headers.set('retry-after', String(Math.ceil(ms / 1000)));
              return;
            }
          }
        },
      };
    },
  };
}
