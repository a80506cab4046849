const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id cannot name a row; callers answer it like any unknown id (NOT_FOUND). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Face ids are bigint sequence values, passed around as decimal strings. */
export function isFaceId(value: string): boolean {
  return /^[1-9]\d{0,18}$/.test(value);
}
