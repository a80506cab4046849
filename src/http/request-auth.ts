import type { IncomingMessage } from 'node:http';
import { AppError, isAppError } from '../errors.js';
import type { Authenticate, Viewer } from '../auth/index.js';
import type { AuthThrottle } from '../auth/auth-throttle.js';
import type { LimitsService } from '../quotas/limits-service.js';
import type { AbuseMetrics } from '../observability/abuse-metrics.js';
import type { Logger } from '../logger.js';
import { clientAddress } from './client-address.js';
import { isDatabaseUnreachable } from '../db/index.js';
import { serviceUnavailable } from '../outage/database-outage.js';
import { RETRYABLE_STATUS } from '../graphql/http-status-plugin.js';

export interface RequestAuthDeps {
  authenticate: Authenticate;
  throttle: AuthThrottle;
  limits: Pick<LimitsService, 'checkRequest'>;
  metrics: AbuseMetrics;
  logger: Logger;
  trustedProxies: number;
}

export type AuthenticateRequest = (req: IncomingMessage, requestId: string) => Promise<RequestAuth>;

export type RequestAuth = { kind: 'ok'; viewer: Viewer } | { kind: 'refused'; status: 401 | 403 | 429 | 500 | 503; error: AppError };

/**
 * Who is calling, decided from the headers alone, before a byte of the body is read: no key,
 * a bad key, a throttled address or a key over its request rate is answered without reading
 * (or buffering) what it sent.
 */
export function createRequestAuth(deps: RequestAuthDeps) {
  return async function authenticateRequest(req: IncomingMessage, requestId: string): Promise<RequestAuth> {
    const header = req.headers.authorization;
    if (!header) return refused(new AppError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <secret>".'));
    const address = clientAddress(req, deps.trustedProxies);
    const blockedMs = await deps.throttle.addressBlockedMs(address);
    if (blockedMs > 0) {
      deps.metrics.countAuthFailure('throttled');
      return refused(new AppError('RATE_LIMITED', 'Too many failed authentications from this address; wait before retrying.', { retryAfterMs: Math.ceil(blockedMs) }));
    }
    let viewer: Viewer;
    try {
      viewer = await deps.authenticate(header, deps.throttle);
    } catch (err) {
      if (isDatabaseUnreachable(err)) return refused(serviceUnavailable('The database is unreachable, so this API key cannot be checked; retry in a few seconds.'));
      if (!isAppError(err)) {
        deps.logger.error({ err, requestId }, 'authentication failed unexpectedly');
        return refused(new AppError('INTERNAL_SERVER_ERROR', 'Authentication failed unexpectedly.'));
      }
      // The prefix is public (it names the key); the secret is never logged. A token with a
      // well-formed prefix and a malformed secret still counts against that prefix.
      const prefix = /^Bearer\s+vsk_([0-9a-f]{12})_/i.exec(header)?.[1];
      await deps.throttle.recordFailure(address, prefix);
      deps.metrics.countAuthFailure(err.code === 'RATE_LIMITED' ? 'throttled' : /^Bearer\s+\S+\s*$/i.test(header) ? 'invalid' : 'malformed');
      // Throttled attempts are the bulk of a flood: logged at debug so the log does not become its amplifier.
      deps.logger[err.code === 'RATE_LIMITED' ? 'debug' : 'warn']({ requestId, address, prefix, code: err.code, reason: err.message }, 'authentication refused');
      return refused(err);
    }
    try {
      await deps.limits.checkRequest(viewer);
    } catch (err) {
      // Through a database outage the limits answer from memory (src/quotas/limits-service.ts).
      if (isAppError(err)) return refused(err);
      throw err;
    }
    return { kind: 'ok', viewer };
  };
}

const REFUSAL_STATUS: Partial<Record<AppError['code'], 401 | 403 | 429 | 500 | 503>> = {
  UNAUTHENTICATED: 401,
  TENANT_SUSPENDED: 403,
  INTERNAL_SERVER_ERROR: 500,
  ...RETRYABLE_STATUS,
};

function refused(error: AppError): RequestAuth {
  const status = REFUSAL_STATUS[error.code] ?? 429;
  return { kind: 'refused', status, error };
}
