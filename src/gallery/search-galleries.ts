import type { FaceHit, SearchScope } from '../search/index.js';
import type { IndexKey } from './index-key.js';
import type { TenantIndexes } from './tenant-indexes.js';

/**
 * The k nearest faces over several galleries' indexes. A person in two of them has the same face
 * in both indexes; each face is kept once, so that person's votes are not doubled. Each index is
 * asked for k, which is enough: the overall k nearest are among the k nearest of each index.
 */
export async function searchGalleries(indexes: TenantIndexes, scope: SearchScope, vector: Float32Array, k: number): Promise<FaceHit[]> {
  const keys: IndexKey[] = [...new Set(scope.galleryIds)].map((galleryId) => ({ tenantId: scope.tenantId, galleryId, model: scope.model }));
  const lists = await Promise.all(keys.map((key) => indexes.search(key, vector, k)));
  if (lists.length === 1) return lists[0]!;
  const byFace = new Map<string, FaceHit>();
  for (const hit of lists.flat()) if (!byFace.has(hit.faceId)) byFace.set(hit.faceId, hit);
  return [...byFace.values()].sort((a, b) => a.distance - b.distance).slice(0, k);
}
