import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs. Redaction is a second line of defence: code must not log image data or
 * secrets in the first place.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'visage' },
    redact: {
      paths: ['req.headers.authorization', '*.secret', '*.data', '*.image', '*.video', 'secret', 'adminToken'],
      censor: '[redacted]',
    },
  });
}
