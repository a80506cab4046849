import { AppError, badInput } from '../errors.js';
import { requireTenant, type Viewer } from '../auth/index.js';
import type { RequestLoaders } from '../loaders/request-loaders.js';
import { actorOf } from '../audit/actor-of.js';
import { checkPageSize, decodeCursor, type Page, type PersonRecord, type Repositories } from '../db/index.js';
import { checkGalleryIds, keyScope } from '../galleries/gallery-ids.js';

export interface PersonFields {
  displayName?: string | null;
  externalId?: string | null;
  metadata?: unknown;
}

const MAX_METADATA_BYTES = 16 * 1024;
// PostgreSQL's jsonb and JSON.stringify both recurse; a client's labels never need more levels.
const MAX_METADATA_DEPTH = 32;

/** Nesting depth of a JSON value, without recursion, stopping as soon as it passes `limit`. */
function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

function checkFields(input: PersonFields, creating: boolean) {
  const out: { displayName?: string; externalId?: string | null; metadata?: object } = {};
  if (input.displayName !== undefined && input.displayName !== null) {
    const name = input.displayName.trim();
    if (name.length === 0 || name.length > 200) throw badInput('displayName', 'displayName must be 1 to 200 characters.');
    out.displayName = name;
  } else if (creating) {
    throw badInput('displayName', 'displayName is required.');
  }
  if (input.externalId !== undefined) {
    if (input.externalId !== null && (input.externalId.length === 0 || input.externalId.length > 200)) {
      throw badInput('externalId', 'externalId must be 1 to 200 characters, or null.');
    }
    out.externalId = input.externalId;
  }
  if (input.metadata !== undefined && input.metadata !== null) {
    if (typeof input.metadata !== 'object' || Array.isArray(input.metadata)) throw badInput('metadata', 'metadata must be a JSON object.');
    if (jsonDepthExceeds(input.metadata, MAX_METADATA_DEPTH)) throw badInput('metadata', `metadata may nest at most ${MAX_METADATA_DEPTH} levels.`);
    if (JSON.stringify(input.metadata).length > MAX_METADATA_BYTES) throw badInput('metadata', `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON.`);
    out.metadata = input.metadata;
  }
  return out;
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No person with id "${id}" in this tenant.`, { field: 'id' });
}

export interface PersonServiceDeps {
  repos: Repositories;
  /** Called after a deletion commits, so this process's index drops the faces at once. */
  facesRemoved: (tenantId: string, model: string) => Promise<void>;
  /** The galleries a person created without `galleryIds` joins. */
  defaultGalleryIds: (tenantId: string) => Promise<readonly string[]>;
}

export function createPersonService({ repos, facesRemoved, defaultGalleryIds }: PersonServiceDeps) {
  return {
    /**
     * Without `galleryIds` the person joins the tenant's default gallery set; an empty list
     * joins none (not identifiable until added to a gallery).
     */
    async create(viewer: Viewer, input: PersonFields & { galleryIds?: readonly string[] | null }): Promise<PersonRecord> {
      const v = requireTenant(viewer, 'managePeople');
      const fields = checkFields(input, true);
      const galleryIds = input.galleryIds
        ? input.galleryIds.length === 0 ? [] : await checkGalleryIds(repos, v.tenantId, input.galleryIds, 'galleryIds')
        : await defaultGalleryIds(v.tenantId);
      return repos.people.create(v.tenantId, { ...fields, displayName: fields.displayName! }, actorOf(v), galleryIds);
    },

    async update(viewer: Viewer, input: PersonFields & { id: string }): Promise<PersonRecord> {
      const v = requireTenant(viewer, 'managePeople');
      const person = await repos.people.update(v.tenantId, input.id, checkFields(input, false), actorOf(v));
      if (!person) throw notFound(input.id);
      return person;
    },

    async delete(viewer: Viewer, id: string): Promise<{ id: string }> {
      const v = requireTenant(viewer, 'managePeople');
      const models = await repos.people.delete(v.tenantId, id, actorOf(v));
      if (!models) throw notFound(id);
      await Promise.all(models.map((model) => facesRemoved(v.tenantId, model)));
      return { id };
    },

    /** With the request's loaders (per-item fields such as RecognitionEvent.person), batched. */
    async get(viewer: Viewer, id: string, loaders?: RequestLoaders): Promise<PersonRecord | null> {
      const v = requireTenant(viewer, 'readPeople');
      // A scoped key reads only members of its galleries; anyone else is NOT_FOUND to it.
      const scope = keyScope(v);
      if (scope) return repos.people.byId(v.tenantId, id, scope);
      return loaders ? loaders.person(v.tenantId, id) : repos.people.byId(v.tenantId, id);
    },

    async require(viewer: Viewer, id: string): Promise<PersonRecord> {
      const person = await this.get(viewer, id);
      if (!person) throw notFound(id);
      return person;
    },

    async list(viewer: Viewer, args: { first: number; after?: string | null; search?: string | null }): Promise<Page<PersonRecord>> {
      const v = requireTenant(viewer, 'readPeople');
      const search = args.search?.trim() || undefined;
      const cursor = decodeCursor(args.after);
      const scope = keyScope(v);
      return repos.people.list(v.tenantId, { first: checkPageSize(args.first), ...(cursor ? { after: cursor } : {}), ...(search ? { search } : {}), ...(scope ? { inGalleries: scope } : {}) });
    },
  };
}

export type PersonService = ReturnType<typeof createPersonService>;
