import { AppError, badInput } from '../errors.js';
import { isUuid } from '../db/index.js';

/** Rows a report may return in one answer; past it the caller must narrow the question. */
export const MAX_REPORT_ROWS = 10_000;
/** Longest range a report accepts: two years and a day, enough for year-over-year. */
const MAX_RANGE_MS = 732 * 24 * 3600 * 1000;

export function checkTimeZone(timeZone: string | null | undefined): string {
  const zone = timeZone ?? 'UTC';
  try {
    // Intl knows the same IANA database PostgreSQL ships; a name it rejects would fail in SQL.
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw badInput('timeZone', `"${zone}" is not an IANA time zone name (for example "Europe/Berlin" or "UTC").`);
  }
  // POSIX-style offsets ("UTC+3") mean the opposite sign in PostgreSQL; only region names are unambiguous.
  if (/[+-]\d/.test(zone)) throw badInput('timeZone', `Use a region name such as "Asia/Dubai" instead of the offset "${zone}".`);
  return zone;
}

export function checkRange(from: Date, to: Date): { from: Date; to: Date } {
  if (from >= to) throw badInput('from', '"from" must be before "to".');
  if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw badInput('to', 'A report covers at most 732 days; split the range.');
  return { from, to };
}

export function checkFirst(first: number | null | undefined, fallback = 50, max = 1000): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput('first', `"first" must be between 1 and ${max}.`);
  return n;
}

/** Ids of another tenant or malformed ones match nothing; reports answer them with NOT_FOUND like other reads. */
export function checkPersonId(id: string | null | undefined, field = 'personId'): string | null {
  if (id === null || id === undefined) return null;
  if (!isUuid(id)) throw new AppError('NOT_FOUND', `No person with id "${id}".`, { field });
  return id;
}

export function tooManyRows(): AppError {
  return new AppError('BAD_USER_INPUT', `The report would have more than ${MAX_REPORT_ROWS} rows: narrow the range, use a coarser bucket or group by fewer dimensions.`, { field: 'input' });
}

export function encodeReportCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Decodes a cursor this API returned for the same report, or fails with BAD_USER_INPUT. */
export function decodeReportCursor<T extends readonly unknown[]>(cursor: string | null | undefined, check: (parts: unknown[]) => T | null): T | null {
  if (cursor === null || cursor === undefined) return null;
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  const decoded = Array.isArray(parts) ? check(parts) : null;
  if (!decoded) throw badInput('after', 'The "after" cursor is not one this report returned.');
  return decoded;
}
