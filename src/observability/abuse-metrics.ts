import { Counter, type Registry } from 'prom-client';

export type AuthFailureReason = 'invalid' | 'malformed' | 'throttled';

export interface AbuseMetrics {
  countAuthFailure(reason: AuthFailureReason): void;
  countLimitRejection(limit: string): void;
}

/** Counters of refused callers, registered beside the server's other metrics. */
export function createAbuseMetrics(registry: Registry): AbuseMetrics {
  const authFailures = new Counter({
    name: 'visage_auth_failures_total',
    help: 'Refused authentications: invalid (unknown, wrong or revoked key), malformed header, or throttled (too many failures from the address or for the key prefix).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const limitRejections = new Counter({
    name: 'visage_limit_rejections_total',
    help: 'Requests refused by a rate limit or quota, by limit name.',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  return {
    countAuthFailure: (reason) => authFailures.inc({ reason }),
    countLimitRejection: (limit) => limitRejections.inc({ limit }),
  };
}
