import { AppError } from '../errors.js';

/** Over a rate (RATE_LIMITED) or a quota (QUOTA_EXCEEDED): HTTP 429 with Retry-After. */
export function limitError(code: 'RATE_LIMITED' | 'QUOTA_EXCEEDED', message: string, retryAfterMs: number | null, limit: string): AppError {
  const details: Record<string, unknown> = { limit };
  if (retryAfterMs !== null) details.retryAfterMs = Math.max(1, Math.ceil(retryAfterMs));
  return new AppError(code, message, details);
}

/** Retry-After in whole seconds (RFC 9110), at least 1. */
export function retryAfterSeconds(retryAfterMs: number): string {
  return String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
}
