import type { FaceIndexKey } from '../db/face-index-source.js';

/**
 * What one in-memory index is of: a gallery of a tenant, for one embedding model (vectors of
 * models never meet). Everything keyed per index (slots, snapshot names, store rows, build jobs)
 * derives its name from `keyOf`, so a new field here is a one-line change.
 */
export interface IndexKey extends FaceIndexKey {
  tenantId: string;
  galleryId: string;
  model: string;
}

// Tenant and gallery ids are UUIDs (no '|'), so the key splits back unambiguously.
export function keyOf(key: IndexKey): string {
  return `${key.tenantId}|${key.galleryId}|${key.model}`;
}

export function parseKey(k: string): IndexKey {
  const first = k.indexOf('|');
  const second = k.indexOf('|', first + 1);
  return { tenantId: k.slice(0, first), galleryId: k.slice(first + 1, second), model: k.slice(second + 1) };
}
