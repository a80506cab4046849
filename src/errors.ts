/**
 * The one error type domain code throws. `code` is stable and becomes the GraphQL
 * `extensions.code`; the message is written for the client developer who will read it.
 */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'TENANT_SUSPENDED',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'INVALID_IMAGE',
  'IMAGE_TOO_LARGE',
  'INVALID_VIDEO',
  'VIDEO_TOO_LARGE',
  'NO_FACE',
  'BATCH_TOO_LARGE',
  'PAYLOAD_TOO_LARGE',
  'QUERY_TOO_DEEP',
  'QUERY_TOO_COMPLEX',
  'SERVER_BUSY',
  'INDEX_UNAVAILABLE',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'MODEL_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra, client-safe details (for example the offending input field). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Shorthand for the most common input error, naming the field a client must fix. */
export function badInput(field: string, message: string): AppError {
  return new AppError('BAD_USER_INPUT', message, { field });
}
