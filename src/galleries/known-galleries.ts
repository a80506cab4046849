import { LRUCache } from 'lru-cache';
import type { GalleryRecord, Repositories } from '../db/index.js';

/** How long a gallery seen to exist is taken to exist by the identify path. */
export const KNOWN_GALLERY_TTL_MS = 5_000;

/**
 * The repositories identify, identifyFrames, identifyVideo and verify use, with the check that the
 * galleries they name exist answered from memory when it was made within KNOWN_GALLERY_TTL_MS. That
 * check was a database round trip per request, which made identify against one gallery of many
 * measurably slower than a one-gallery tenant's identify (which names none). Only existence is
 * remembered, keyed by tenant, so one tenant's gallery is never another's answer. A gallery deleted
 * meanwhile may be searched for up to the TTL: its index is already empty (the deletion logged its
 * faces out), so such a search answers UNKNOWN, never with anyone.
 */
export function withKnownGalleries(repos: Repositories, ttlMs = KNOWN_GALLERY_TTL_MS): Repositories {
  const known = new LRUCache<string, GalleryRecord>({ max: 100_000, ttl: ttlMs });
  const key = (tenantId: string, id: string) => `${tenantId}/${id}`;
  return {
    ...repos,
    galleries: {
      ...repos.galleries,
      async byIds(tenantId, ids) {
        const held = ids.map((id) => known.get(key(tenantId, id)));
        if (held.every((g) => g !== undefined)) return held as GalleryRecord[];
        const found = await repos.galleries.byIds(tenantId, ids);
        for (const g of found) known.set(key(tenantId, g.id), g);
        return found;
      },
    },
  };
}
