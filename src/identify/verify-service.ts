import { performance } from 'node:perf_hooks';
import { requireTenant, type TenantViewer, type Viewer } from '../auth/index.js';
import { isDatabaseUnreachable, isUuid, type RecognitionDecision, type Repositories } from '../db/index.js';
import { AppError, badInput } from '../errors.js';
import type { TenantSettings } from '../tenants/index.js';
import { imageBytes, type AnalyzedFace, type FaceAnalyzer, type ImageInput } from '../vision/index.js';
import type { SearchFaces, SearchScope } from '../search/index.js';
import { keyScope, searchedGalleries } from '../galleries/gallery-ids.js';
import type { GalleryChoice } from './identify-service.js';

export interface VerifyDeps {
  repos: Repositories;
  analyze: FaceAnalyzer;
  search: SearchFaces;
  /** The caller's tenant settings (read with its key when it brought them). */
  settings: (viewer: TenantViewer) => Promise<TenantSettings>;
  maxImageBytes: number;
}

export interface VerifyInput extends GalleryChoice {
  image: ImageInput;
  personId: string;
  source?: string | null;
}

/** Neighbours read from the hot index when PostgreSQL cannot answer verify's exact comparison. */
const OUTAGE_NEIGHBOURS = 50;

/** The nearest enrolled faces a search returns at most. */
export const MAX_SEARCH_RESULTS = 100;

function largest(faces: readonly AnalyzedFace[]): AnalyzedFace | undefined {
  return [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
}

/**
 * 1:1 verification ("is this the person they claim to be?") and search by a face. Verify
 * compares with that person's faces only, exactly, in pgvector: the FAISS index answers "who is
 * nearest", which is not the question, and one person has few faces.
 */
export function createVerifyService(deps: VerifyDeps) {
  function notFound(kind: string, id: string): AppError {
    return new AppError('NOT_FOUND', `No ${kind} with id "${id}".`);
  }

  /**
   * Exact, in pgvector, normally. While the database is unreachable, the hot index's nearest
   * neighbours stand in: if none of the closest OUTAGE_NEIGHBOURS faces is this person's, their
   * nearest face is farther than that many others and the answer is UNKNOWN.
   */
  async function nearestOfPerson(scope: SearchScope, personId: string, galleriesOfPerson: ReadonlySet<string> | null, embedding: Float32Array): Promise<{ distance: number } | null> {
    // Someone in none of the searched galleries is not who this camera may recognise.
    if (galleriesOfPerson && !scope.galleryIds.some((id) => galleriesOfPerson.has(id))) return null;
    try {
      if (galleriesOfPerson === null) throw new Error('unreachable');
      return await deps.repos.faceSearch.nearestFaceOfPerson(scope.tenantId, personId, scope.model, embedding);
    } catch (err) {
      if (galleriesOfPerson !== null && !isDatabaseUnreachable(err)) throw err;
      // The searched galleries' indexes hold only their members, so membership is checked too.
      const hits = await deps.search(scope, embedding, OUTAGE_NEIGHBOURS);
      return hits.find((h) => h.label === personId) ?? null;
    }
  }

  /** The person's galleries, or null while the database is unreachable (the index search then stands in). */
  async function galleriesOf(tenantId: string, personId: string): Promise<Set<string> | null> {
    try {
      return new Set((await deps.repos.galleries.ofPeople(tenantId, [personId])).map((m) => m.gallery.id));
    } catch (err) {
      if (!isDatabaseUnreachable(err)) throw err;
      return null;
    }
  }

  return {
    async verify(viewer: Viewer, input: VerifyInput) {
      const started = performance.now();
      const v = requireTenant(viewer, 'identify');
      if (input.source && input.source.length > 200) throw badInput('source', 'source must be at most 200 characters.');
      // byIds: the read identify uses, which the outage layer remembers, so verify answers through an outage too.
      const person = isUuid(input.personId) ? (await deps.repos.people.byIds(v.tenantId, [input.personId]))[0] ?? null : null;
      if (!person) throw notFound('person', input.personId);
      const settings = await deps.settings(v);
      const scope: SearchScope = { tenantId: v.tenantId, model: settings.model, galleryIds: await searchedGalleries(deps.repos, v, settings.defaultGalleryIds, input.galleryIds) };
      const memberOf = await galleriesOf(v.tenantId, person.id);
      // A scoped key reads only the people of its galleries: anyone else does not exist for it.
      const keyGalleries = keyScope(v);
      if (keyGalleries && memberOf && !keyGalleries.some((id) => memberOf.has(id))) throw notFound('person', input.personId);
      const analyzed = await deps.analyze(imageBytes(input.image, deps.maxImageBytes), { modelId: settings.model });
      const face = largest(analyzed.faces);
      const nearest = face ? await nearestOfPerson(scope, person.id, memberOf, face.embedding) : null;
      const decision: RecognitionDecision = !face ? 'NO_FACE' : nearest && nearest.distance <= settings.threshold ? 'MATCH' : 'UNKNOWN';
      const distance = nearest?.distance ?? null;
      const [eventId] = await deps.repos.events.insertMany(v.tenantId, [{
        personId: decision === 'MATCH' ? person.id : null,
        decision,
        distance,
        votes: null,
        k1: settings.k1,
        k2: settings.k2,
        threshold: settings.threshold,
        model: settings.model,
        source: input.source ?? null,
        frames: 1,
        latencyMs: performance.now() - started,
        box: face?.box ?? null,
        faceQuality: face?.quality.sharpness ?? null,
        galleryIds: [...scope.galleryIds],
      }]);
      return { decision, distance, threshold: settings.threshold, person, face: face ? { box: face.box, quality: face.quality } : null, eventId: eventId! };
    },

    /** The nearest enrolled faces to a probe image's largest face, or to a stored face, with their people. */
    async searchFaces(viewer: Viewer, input: GalleryChoice & { image?: ImageInput | null; faceId?: string | null; first?: number | null }) {
      const v = requireTenant(viewer, 'searchFaces');
      if (!input.image === !input.faceId) throw badInput('image', 'Send exactly one of "image" and "faceId".');
      const first = input.first ?? 10;
      if (!Number.isInteger(first) || first < 1 || first > MAX_SEARCH_RESULTS) throw badInput('first', `"first" must be between 1 and ${MAX_SEARCH_RESULTS}.`);
      const settings = await deps.settings(v);
      const model = settings.model;
      const scope: SearchScope = { tenantId: v.tenantId, model, galleryIds: await searchedGalleries(deps.repos, v, settings.defaultGalleryIds, input.galleryIds) };
      let probe: Float32Array | null;
      if (input.faceId) {
        const stored = await deps.repos.faceSearch.embedding(v.tenantId, input.faceId);
        if (!stored) throw notFound('face', input.faceId);
        if (stored.model !== model) throw new AppError('CONFLICT', `Face ${input.faceId} was embedded by ${stored.model}; the tenant now searches ${model} faces.`);
        probe = stored.embedding;
      } else {
        probe = largest((await deps.analyze(imageBytes(input.image!, deps.maxImageBytes), { modelId: model })).faces)?.embedding ?? null;
        if (!probe) throw new AppError('NO_FACE', 'No face was found in the image.', { field: 'image' });
      }
      // A stored face finds itself first; it is asked for one more and left out.
      const hits = (await deps.search(scope, probe, first + (input.faceId ? 1 : 0))).filter((h) => h.faceId !== input.faceId).slice(0, first);
      const people = await deps.repos.people.byIds(v.tenantId, [...new Set(hits.map((h) => h.label))]);
      const byId = new Map(people.map((p) => [p.id, p]));
      return hits.map((h) => ({ faceId: h.faceId, person: byId.get(h.label) ?? null, distance: h.distance }));
    },
  };
}

export type VerifyService = ReturnType<typeof createVerifyService>;
