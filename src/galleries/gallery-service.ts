import { AppError, badInput } from '../errors.js';
import { requireTenant, type Viewer } from '../auth/index.js';
import { actorOf } from '../audit/actor-of.js';
import { checkPageSize, decodeCursor, type GalleryCounts, type GalleryRecord, type MembershipResult, type Page, type Repositories } from '../db/index.js';
import type { RequestLoaders } from '../loaders/request-loaders.js';
import { keyScope } from './gallery-ids.js';

/** People per addToGallery / removeFromGallery call: one transaction, one change-log write. */
export const MAX_PEOPLE_PER_MEMBERSHIP_CALL = 1000;

export interface GalleryServiceDeps {
  repos: Repositories;
  /** The tenant's default gallery set (a gallery in it cannot be deleted). */
  defaultGalleryIds: (tenantId: string) => Promise<readonly string[]>;
  /** After a membership change commits: this process's indexes of the tenant take it at once. */
  indexChanged: (tenantId: string) => Promise<void>;
}

function notFound(id: string, field = 'id'): AppError {
  return new AppError('NOT_FOUND', `No gallery with id "${id}" in this tenant.`, { field });
}

function checkName(name: string | null | undefined, creating: boolean): string | undefined {
  if (name === undefined || name === null) {
    if (creating) throw badInput('name', 'name is required.');
    return undefined;
  }
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw badInput('name', 'A gallery name must be 1 to 100 characters.');
  return trimmed;
}

function checkDescription(description: string | null | undefined): string | null | undefined {
  if (description && description.length > 1000) throw badInput('description', 'A description must be at most 1000 characters.');
  return description;
}

function nameTaken(name: string | undefined): AppError {
  return new AppError('CONFLICT', `Another gallery in this tenant is already named "${name ?? ''}".`, { field: 'name' });
}

/**
 * Galleries: named sets of people within a tenant. Identify searches the galleries it is asked
 * for (see gallery-ids.ts); this service manages them and their members. Membership changes log
 * the members' faces for the gallery's index in the same transaction, so every replica's loaded
 * index takes them without re-embedding.
 */
export function createGalleryService(deps: GalleryServiceDeps) {
  const { repos } = deps;

  async function changeMembers(viewer: Viewer, input: { galleryId: string; personIds: readonly string[] }, op: 'add' | 'remove'): Promise<GalleryRecord> {
    const v = requireTenant(viewer, 'managePeople');
    if (input.personIds.length === 0) throw badInput('personIds', 'Name at least one person.');
    if (input.personIds.length > MAX_PEOPLE_PER_MEMBERSHIP_CALL) {
      throw new AppError('BATCH_TOO_LARGE', `At most ${MAX_PEOPLE_PER_MEMBERSHIP_CALL} people per call; this had ${input.personIds.length}. Split the list.`, { field: 'personIds' });
    }
    const change = op === 'add' ? repos.galleries.addMembers : repos.galleries.removeMembers;
    const result: MembershipResult = await change(v.tenantId, input.galleryId, input.personIds, actorOf(v));
    switch (result.kind) {
      case 'galleryNotFound':
        throw notFound(input.galleryId, 'galleryId');
      case 'peopleNotFound':
        throw new AppError('NOT_FOUND', `No person with id "${result.ids[0]}" in this tenant.`, { field: 'personIds' });
      case 'changed':
        if (result.models.length > 0) await deps.indexChanged(v.tenantId);
        return (await repos.galleries.byIds(v.tenantId, [input.galleryId]))[0] ?? Promise.reject(notFound(input.galleryId, 'galleryId'));
    }
  }

  return {
    async create(viewer: Viewer, input: { name: string; description?: string | null }): Promise<GalleryRecord> {
      const v = requireTenant(viewer, 'managePeople');
      const name = checkName(input.name, true)!;
      const created = await repos.galleries.create(v.tenantId, { name, description: checkDescription(input.description) ?? null }, actorOf(v));
      if (created === 'nameTaken') throw nameTaken(name);
      return created;
    },

    async update(viewer: Viewer, input: { id: string; name?: string | null; description?: string | null }): Promise<GalleryRecord> {
      const v = requireTenant(viewer, 'managePeople');
      const name = checkName(input.name, false);
      const description = checkDescription(input.description);
      const updated = await repos.galleries.update(v.tenantId, input.id, { ...(name ? { name } : {}), ...(description !== undefined ? { description } : {}) }, actorOf(v));
      if (updated === 'nameTaken') throw nameTaken(name);
      if (!updated) throw notFound(input.id);
      return updated;
    },

    /** Refused for a gallery in the default set, or one an active key is scoped to: either would leave a camera or new people pointing at nothing. */
    async delete(viewer: Viewer, id: string): Promise<{ id: string }> {
      const v = requireTenant(viewer, 'managePeople');
      const exists = (await repos.galleries.byIds(v.tenantId, [id])).length > 0;
      if (!exists) throw notFound(id);
      if ((await deps.defaultGalleryIds(v.tenantId)).includes(id)) {
        throw new AppError('CONFLICT', 'This gallery is in the tenant’s default gallery set; change defaultGalleryIds with updateTenantSettings first.', { field: 'id' });
      }
      const result = await repos.galleries.delete(v.tenantId, id, actorOf(v));
      switch (result.kind) {
        case 'notFound':
          throw notFound(id);
        case 'scopedKeys':
          throw new AppError('CONFLICT', `${result.keys} active API key(s) are scoped to this gallery; revoke them (or let them expire) first.`, { field: 'id' });
        case 'deleted':
          await deps.indexChanged(v.tenantId);
          return { id };
      }
    },

    /** A scoped key lists only its own galleries. */
    async list(viewer: Viewer, args: { first: number; after?: string | null }): Promise<Page<GalleryRecord>> {
      const v = requireTenant(viewer, 'readPeople');
      const cursor = decodeCursor(args.after);
      const scope = keyScope(v);
      return repos.galleries.list(v.tenantId, { first: checkPageSize(args.first), ...(cursor ? { after: cursor } : {}), ...(scope ? { onlyIds: scope } : {}) });
    },

    counts(viewer: Viewer, galleryId: string, loaders: RequestLoaders): Promise<GalleryCounts> {
      const v = requireTenant(viewer, 'readPeople');
      return loaders.galleryCounts(v.tenantId, galleryId);
    },

    /** Person.galleries; a scoped key sees only its own galleries among them. */
    async ofPerson(viewer: Viewer, personId: string, loaders: RequestLoaders): Promise<GalleryRecord[]> {
      const v = requireTenant(viewer, 'readPeople');
      const scope = keyScope(v);
      const galleries = await loaders.galleriesOfPerson(v.tenantId, personId);
      return scope ? galleries.filter((g) => scope.includes(g.id)) : galleries;
    },

    addPeople: (viewer: Viewer, input: { galleryId: string; personIds: readonly string[] }) => changeMembers(viewer, input, 'add'),
    removePeople: (viewer: Viewer, input: { galleryId: string; personIds: readonly string[] }) => changeMembers(viewer, input, 'remove'),
  };
}

export type GalleryService = ReturnType<typeof createGalleryService>;
