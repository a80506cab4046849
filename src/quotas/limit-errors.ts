import { AppError } from '../errors.js';

/** Over a rate (RATE_LIMITED) or a quota (QUOTA_EXCEEDED): HTTP 429 with Retry-After. */
export function limitError(code: 'RATE_LIMITED' | 'QUOTA_EXCEEDED', message: string, retryAfterMs: number | null, limit: string): AppError {
  const details: Record<string, unknown> = { limit };
  if (retryAfterMs !== null) details.retryAfterMs = Math.max(1, Math.ceil(retryAfterMs));
  return new AppError(code, message, details);
}
