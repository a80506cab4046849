import { AppError } from '../errors.js';

/** Translates the Prisma errors a client can cause into AppErrors; anything else is rethrown. */
export function rethrowKnown(err: unknown, conflictMessage: string, field?: string): never {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'P2002') throw new AppError('CONFLICT', conflictMessage, field ? { field } : {});
  throw err;
}

/** True when Prisma reports that the row to update or delete does not exist. */
export function isNotFound(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'P2025';
}
