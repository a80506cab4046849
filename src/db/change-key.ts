/**
 * The FaceChange columns that name one in-memory index: the fields of the gallery's IndexKey.
 * Heartbeat positions and compaction marks store a key as a JSON object of exactly these fields,
 * and SQL builds the same object from a FaceChange row, so adding a field to the index key is
 * adding its column here (and to FaceChange).
 */
export const CHANGE_KEY_COLUMNS = ['tenantId', 'galleryId', 'model'] as const;

export type ChangeKey = { readonly [C in (typeof CHANGE_KEY_COLUMNS)[number]]: string };

/** The key as stored: only the key fields (an IndexKey may carry more), in a fixed order. */
export function changeKeyJson(key: ChangeKey): Record<string, string> {
  return Object.fromEntries(CHANGE_KEY_COLUMNS.map((c) => [c, key[c]]));
}

/** SQL for the same JSON object from the FaceChange row `alias` (identifiers are constants above). */
export function changeKeySql(alias: string): string {
  return `jsonb_build_object(${CHANGE_KEY_COLUMNS.map((c) => `'${c}', ${alias}."${c}"::text`).join(', ')})`;
}

/** SQL true when the key JSON `json` names the FaceChange row `alias` (plain column comparisons). */
export function changeKeyMatchSql(json: string, alias: string): string {
  return CHANGE_KEY_COLUMNS.map((c) => `${json}->>'${c}' = ${alias}."${c}"::text`).join(' AND ');
}
