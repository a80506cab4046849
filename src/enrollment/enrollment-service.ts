import type { RequestLoaders } from '../loaders/request-loaders.js';
import { AppError, isAppError } from '../errors.js';
import { CONFIG_DEFAULTS } from '../config/index.js';
import { requireTenant, type Viewer } from '../auth/index.js';
import { actorOf } from '../audit/actor-of.js';
import type { RejectionReason } from './rejection-reason.js';
import { createEnrollmentSteps, type Candidate, type FaceAcceptancePolicy } from './enrollment-steps.js';
import type { FaceRecord, NewFace, Repositories, SessionRecord } from '../db/index.js';
import type { EnrollmentSource } from '../domain/enrollment-source.js';
import { checkFilename, imageBytes, type AnalyzedFace, type FaceAnalyzer, type ImageInput } from '../vision/index.js';


export interface EnrollmentImageResult {
  index: number;
  filename: string | null;
  accepted: boolean;
  faceId: string | null;
  quality: AnalyzedFace['quality'] | null;
  reason: RejectionReason | null;
  message: string | null;
}

export interface EnrollmentPolicy extends FaceAcceptancePolicy {
  maxBatchImages: number;
  maxImageBytes: number;
}

export const DEFAULT_ENROLLMENT_POLICY: EnrollmentPolicy = {
  maxBatchImages: CONFIG_DEFAULTS.maxBatchImages,
  maxImageBytes: CONFIG_DEFAULTS.maxImageBytes,
  minFaceSizePx: CONFIG_DEFAULTS.enrollMinFaceSize,
  minSharpness: CONFIG_DEFAULTS.enrollMinSharpness,
  duplicateDistance: 0.05,
};

export interface EnrollmentDeps {
  repos: Repositories;
  analyze: FaceAnalyzer;
  policy: EnrollmentPolicy;
  tenantModel: (tenantId: string) => Promise<string>;
  /** Resolves once this process's index reflects a committed change (others learn by NOTIFY). */
  indexChanged: (tenantId: string, model: string) => Promise<void>;
}

export function createEnrollmentService(deps: EnrollmentDeps) {
  const { repos, policy } = deps;

  const { openSession, judge, store, finish } = createEnrollmentSteps(deps);

  /** Refuses a batch as a whole before anything is stored or a session is opened. */
  function checkBatch(images: readonly ImageInput[]): void {
    if (images.length === 0) throw new AppError('BAD_USER_INPUT', 'Send at least one image.', { field: 'images' });
    if (images.length > policy.maxBatchImages) {
      throw new AppError('BATCH_TOO_LARGE', `At most ${policy.maxBatchImages} images per call; this one had ${images.length}. Split the batch.`, { field: 'images' });
    }
    images.forEach((image, i) => checkFilename(image.filename, `images.${i}.filename`));
  }

  /** The caller's tenant, once the person is known in it (NOT_FOUND otherwise). */
  async function readablePerson(viewer: Viewer, personId: string, loaders?: RequestLoaders) {
    const v = requireTenant(viewer, 'readPeople');
    const person = loaders ? await loaders.person(v.tenantId, personId) : await repos.people.byId(v.tenantId, personId);
    if (!person) throw new AppError('NOT_FOUND', `No person with id "${personId}" in this tenant.`, { field: 'personId' });
    return v;
  }

  async function addImages(tenantId: string, session: SessionRecord, images: readonly ImageInput[], largestFaceOnly: boolean): Promise<EnrollmentImageResult[]> {
    checkBatch(images);
    const model = await deps.tenantModel(tenantId);
    const candidates: Candidate[] = [];
    const qualities: (AnalyzedFace['quality'] | null)[] = [];
    for (const image of images) {
      try {
        const analyzed = await deps.analyze(imageBytes(image, policy.maxImageBytes, 'images'), { modelId: model });
        const c = judge(analyzed.faces, largestFaceOnly);
        candidates.push(c);
        qualities.push(c.ok ? c.face.quality : (analyzed.faces[0]?.quality ?? null));
      } catch (err) {
        if (!isAppError(err) || (err.code !== 'INVALID_IMAGE' && err.code !== 'IMAGE_TOO_LARGE')) throw err;
        candidates.push({ ok: false, reason: err.code, message: err.message });
        qualities.push(null);
      }
    }
    const stored = await store(tenantId, session, model, candidates);
    return stored.map((r, index) => ({
      index,
      filename: images[index]!.filename ?? null,
      accepted: r.reason === null,
      faceId: r.faceId,
      quality: qualities[index] ?? null,
      reason: r.reason,
      message: r.message,
    }));
  }

  return {
    async start(viewer: Viewer, input: { personId: string; source?: EnrollmentSource | null }): Promise<SessionRecord> {
      const v = requireTenant(viewer, 'enroll');
      const person = await repos.people.byId(v.tenantId, input.personId);
      if (!person) throw new AppError('NOT_FOUND', `No person with id "${input.personId}" in this tenant.`, { field: 'personId' });
      return repos.enrollment.createSession(v.tenantId, person.id, input.source ?? 'IMAGES', actorOf(v));
    },

    async addImages(viewer: Viewer, input: { sessionId: string; images: ImageInput[]; largestFaceOnly?: boolean | null }) {
      const v = requireTenant(viewer, 'enroll');
      const session = await openSession(v.tenantId, input.sessionId);
      const results = await addImages(v.tenantId, session, input.images, input.largestFaceOnly ?? false);
      return { session: (await repos.enrollment.session(v.tenantId, session.id))!, results };
    },

    /** Completing a session with no accepted face marks it FAILED instead: nothing to search. */
    async complete(viewer: Viewer, sessionId: string): Promise<SessionRecord> {
      const v = requireTenant(viewer, 'enroll');
      const session = await openSession(v.tenantId, sessionId);
      return finish(v.tenantId, session.id, session.imagesAccepted > 0 ? 'COMPLETED' : 'FAILED', actorOf(v));
    },

    async cancel(viewer: Viewer, sessionId: string): Promise<SessionRecord> {
      const v = requireTenant(viewer, 'enroll');
      return finish(v.tenantId, sessionId, 'CANCELLED', actorOf(v));
    },

    /** start + add + complete in one call. */
    async enrollFaces(viewer: Viewer, input: { personId: string; images: ImageInput[]; largestFaceOnly?: boolean | null }) {
      const v = requireTenant(viewer, 'enroll');
      checkBatch(input.images);
      const session = await this.start(viewer, { personId: input.personId, source: 'IMAGES' });
      try {
        const results = await addImages(v.tenantId, session, input.images, input.largestFaceOnly ?? false);
        return { session: await this.complete(viewer, session.id), results };
      } catch (err) {
        await repos.enrollment.finishSession(v.tenantId, session.id, 'FAILED', actorOf(v)).catch(() => undefined);
        throw err;
      }
    },

    async session(viewer: Viewer, id: string): Promise<SessionRecord> {
      const v = requireTenant(viewer, 'readPeople');
      const session = await repos.enrollment.session(v.tenantId, id);
      if (!session) throw new AppError('NOT_FOUND', `No enrollment session with id "${id}" in this tenant.`, { field: 'id' });
      return session;
    },

    /** With the request's loaders (Person.faces over a page of people), batched. */
    async faces(viewer: Viewer, personId: string, loaders?: RequestLoaders): Promise<FaceRecord[]> {
      const v = await readablePerson(viewer, personId, loaders);
      return loaders ? loaders.facesOfPerson(v.tenantId, personId) : repos.enrollment.facesOfPerson(v.tenantId, personId);
    },

    /** The person's enrollment sessions, newest first (at most 100). */
    async sessionsOfPerson(viewer: Viewer, personId: string, loaders?: RequestLoaders): Promise<SessionRecord[]> {
      const v = await readablePerson(viewer, personId, loaders);
      return repos.enrollment.sessionsOfPerson(v.tenantId, personId);
    },

    async deleteFace(viewer: Viewer, id: string): Promise<FaceRecord> {
      const v = requireTenant(viewer, 'managePeople');
      const face = await repos.enrollment.deleteFace(v.tenantId, id, actorOf(v));
      if (!face) throw new AppError('NOT_FOUND', `No face with id "${id}" in this tenant.`, { field: 'id' });
      if (face.searchable) await deps.indexChanged(v.tenantId, face.model);
      return face;
    },
  };
}

export type EnrollmentService = ReturnType<typeof createEnrollmentService>;
