/**
 * What one in-memory index is of. Everything keyed per index (slots, snapshot names, store rows,
 * build jobs) derives its name from `keyOf`, so a new field here is a one-line change.
 */
export interface IndexKey {
  tenantId: string;
  model: string;
}

// Tenant ids are UUIDs (no '|'), so the key splits back unambiguously.
export function keyOf(key: IndexKey): string {
  return `${key.tenantId}|${key.model}`;
}

export function parseKey(k: string): IndexKey {
  const at = k.indexOf('|');
  return { tenantId: k.slice(0, at), model: k.slice(at + 1) };
}
