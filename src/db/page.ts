import { AppError } from '../errors.js';
import { isStorableDate, isUuid } from './ids.js';

/** A keyset page: rows in order, whether more follow, and the total matching the filter. */
export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface PageArgs {
  first: number;
  /** Opaque cursor of the last row already seen. */
  after?: string | null;
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

export const MAX_PAGE_SIZE = 100;

export function encodeCursor(row: Cursor): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): Cursor | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    // A forged cursor must not reach SQL: every keyset id is a uuid, every date a storable one.
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !isUuid(id) || !isStorableDate(date)) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new AppError('BAD_USER_INPUT', 'The "after" cursor is not one this API returned.', { field: 'after' });
  }
}

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new AppError('BAD_USER_INPUT', `"first" must be between 1 and ${MAX_PAGE_SIZE}.`, { field: 'first' });
  }
  return first;
}

/** Prisma `where` for rows strictly after a cursor in (createdAt, id) order, ascending or descending. */
export function afterCursor(cursor: Cursor | undefined, direction: 'asc' | 'desc') {
  if (!cursor) return {};
  const op = direction === 'asc' ? 'gt' : 'lt';
  return {
    OR: [{ createdAt: { [op]: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { [op]: cursor.id } }],
  };
}

export function toPage<T>(rows: T[], first: number, totalCount: number): Page<T> {
  return { items: rows.slice(0, first), hasNextPage: rows.length > first, totalCount };
}
