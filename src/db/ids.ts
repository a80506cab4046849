const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id cannot name a row; callers answer it like any unknown id (NOT_FOUND). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const MAX_BIGINT = 2n ** 63n - 1n;

/** Face ids are bigint sequence values, passed around as decimal strings (at most 2^63 - 1). */
export function isFaceId(value: string): boolean {
  return /^[1-9]\d{0,18}$/.test(value) && BigInt(value) <= MAX_BIGINT;
}

/** Years PostgreSQL's timestamp and Prisma's ISO strings both represent (0001-9999). */
export function isStorableDate(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
}
