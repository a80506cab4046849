import { AppError, badInput } from '../errors.js';
import type { TenantViewer } from '../auth/index.js';
import type { Repositories } from '../db/index.js';

/**
 * Most galleries one call may name (identify, a key's scope, the default set). Each is its own
 * index searched in turn, so the bound is what keeps one identify's search time bounded.
 */
export const MAX_GALLERIES_PER_CALL = 20;

/** Checks a list of gallery ids of the tenant: 1 to MAX_GALLERIES_PER_CALL, each existing (NOT_FOUND otherwise, as for another tenant's id). */
export async function checkGalleryIds(repos: Pick<Repositories, 'galleries'>, tenantId: string, ids: readonly string[], field: string): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw badInput(field, `Name at least one gallery in "${field}" (or leave it out for the default).`);
  if (unique.length > MAX_GALLERIES_PER_CALL) throw badInput(field, `At most ${MAX_GALLERIES_PER_CALL} galleries in "${field}"; this had ${unique.length}.`);
  const found = new Set((await repos.galleries.byIds(tenantId, unique)).map((g) => g.id));
  const missing = unique.find((id) => !found.has(id));
  if (missing !== undefined) throw new AppError('NOT_FOUND', `No gallery with id "${missing}" in this tenant.`, { field });
  return unique;
}

/** The scope a key is held to, or null when it is not scoped. */
export function keyScope(viewer: TenantViewer): readonly string[] | null {
  return viewer.galleryIds && viewer.galleryIds.length > 0 ? viewer.galleryIds : null;
}

/**
 * The galleries an identify, verify or search looks through. Named ones must be within a scoped
 * key's galleries (FORBIDDEN, checked before existence so nothing about other galleries leaks)
 * and exist. Unnamed: a scoped key's own galleries, otherwise the tenant's default gallery set.
 */
export async function searchedGalleries(
  repos: Pick<Repositories, 'galleries'>,
  viewer: TenantViewer,
  defaultGalleryIds: readonly string[],
  requested: readonly string[] | null | undefined,
): Promise<string[]> {
  const scope = keyScope(viewer);
  if (requested === null || requested === undefined) return [...(scope ?? defaultGalleryIds)];
  if (scope) {
    const outside = requested.find((id) => !scope.includes(id));
    if (outside !== undefined) throw new AppError('FORBIDDEN', `This key is scoped to its own galleries and may not search gallery "${outside}".`, { field: 'galleryIds' });
  }
  return checkGalleryIds(repos, viewer.tenantId, requested, 'galleryIds');
}
