import { AppError, isAppError } from '../errors.js';
import { CONFIG_DEFAULTS } from '../config/index.js';
import { l2Distance } from '../embedding/index.js';
import { requireTenant, type Viewer } from '../auth/index.js';
import type { RejectionReason } from './rejection-reason.js';
import type { EnrollmentSource, FaceRecord, NewFace, Repositories, SessionRecord } from '../db/index.js';
import { imageBytes, type AnalyzedFace, type FaceAnalyzer, type ImageInput } from '../vision/index.js';


export interface EnrollmentImageResult {
  index: number;
  filename: string | null;
  accepted: boolean;
  faceId: string | null;
  quality: AnalyzedFace['quality'] | null;
  reason: RejectionReason | null;
  message: string | null;
}

export interface EnrollmentPolicy {
  maxBatchImages: number;
  maxImageBytes: number;
  /** Shorter side of the face box, in pixels, below which a face is LOW_QUALITY. */
  minFaceSizePx: number;
  /** Variance of the Laplacian on the aligned crop below which a face is LOW_QUALITY (blur). */
  minSharpness: number;
  /** A face this close (L2, unit vectors) to one the person already has is a DUPLICATE. */
  duplicateDistance: number;
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

/** A face the pipeline found, judged for enrollment, or the reason it was refused. */
export type Candidate = { ok: true; face: AnalyzedFace } | { ok: false; reason: RejectionReason; message: string };

export function createEnrollmentService(deps: EnrollmentDeps) {
  const { repos, policy } = deps;

  async function openSession(tenantId: string, sessionId: string): Promise<SessionRecord> {
    const session = await repos.enrollment.session(tenantId, sessionId);
    if (!session) throw new AppError('NOT_FOUND', `No enrollment session with id "${sessionId}" in this tenant.`, { field: 'sessionId' });
    if (session.status !== 'OPEN') throw new AppError('CONFLICT', `Enrollment session is ${session.status}; start a new one.`, { field: 'sessionId' });
    return session;
  }

  function judge(faces: readonly AnalyzedFace[], largestFaceOnly: boolean): Candidate {
    if (faces.length === 0) return { ok: false, reason: 'NO_FACE', message: 'No face was found.' };
    if (faces.length > 1 && !largestFaceOnly) {
      return { ok: false, reason: 'MULTIPLE_FACES', message: `${faces.length} faces were found; send one face per image or set largestFaceOnly.` };
    }
    const face = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0]!;
    if (face.quality.faceSizePx < policy.minFaceSizePx) {
      return { ok: false, reason: 'LOW_QUALITY', message: `The face is ${Math.round(face.quality.faceSizePx)} px; at least ${policy.minFaceSizePx} px is needed.` };
    }
    if (face.quality.sharpness < policy.minSharpness) {
      return { ok: false, reason: 'LOW_QUALITY', message: 'The face is too blurred.' };
    }
    return { ok: true, face };
  }

  /**
   * Stores the accepted candidates in an OPEN session (not yet searchable) and counts the
   * rejections. Shared by image and video enrollment.
   */
  async function store(tenantId: string, session: SessionRecord, model: string, candidates: readonly Candidate[], extraStats: Record<string, number> = {}) {
    const results: { faceId: string | null; reason: RejectionReason | null; message: string | null }[] = [];
    const accepted: NewFace[] = [];
    const rejections: Record<string, number> = {};
    const kept: Float32Array[] = [];
    for (const c of candidates) {
      let verdict: Candidate = c;
      if (c.ok) {
        const nearest = await repos.enrollment.nearestOwnFaceDistance(tenantId, session.personId, model, c.face.embedding);
        const inBatch = kept.some((v) => l2Distance(v, c.face.embedding) < policy.duplicateDistance);
        if (inBatch || (nearest !== null && nearest < policy.duplicateDistance)) {
          verdict = { ok: false, reason: 'DUPLICATE', message: 'This face is already enrolled for this person.' };
        }
      }
      if (verdict.ok) {
        kept.push(verdict.face.embedding);
        accepted.push({ model, embedding: verdict.face.embedding, box: verdict.face.box, detectionScore: verdict.face.detectionScore, quality: { ...verdict.face.quality } });
        results.push({ faceId: null, reason: null, message: null });
      } else {
        rejections[verdict.reason] = (rejections[verdict.reason] ?? 0) + 1;
        results.push({ faceId: null, reason: verdict.reason, message: verdict.message });
      }
    }
    const ids = await repos.enrollment.addToSession(tenantId, session.id, session.personId, accepted, rejections, extraStats);
    let next = 0;
    for (const r of results) if (r.reason === null) r.faceId = ids[next++]!;
    return results;
  }

  async function addImages(tenantId: string, session: SessionRecord, images: readonly ImageInput[], largestFaceOnly: boolean): Promise<EnrollmentImageResult[]> {
    if (images.length === 0) throw new AppError('BAD_USER_INPUT', 'Send at least one image.', { field: 'images' });
    if (images.length > policy.maxBatchImages) {
      throw new AppError('BATCH_TOO_LARGE', `At most ${policy.maxBatchImages} images per call; this one had ${images.length}. Split the batch.`, { field: 'images' });
    }
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

  async function finish(tenantId: string, sessionId: string, status: 'COMPLETED' | 'CANCELLED' | 'FAILED'): Promise<SessionRecord> {
    const session = await openSession(tenantId, sessionId);
    const finished = await repos.enrollment.finishSession(tenantId, session.id, status);
    if (!finished) throw new AppError('CONFLICT', 'Enrollment session was finished by another request.', { field: 'sessionId' });
    if (status === 'COMPLETED') await deps.indexChanged(tenantId, await deps.tenantModel(tenantId));
    return finished;
  }

  return {
    judge,
    store,
    async start(viewer: Viewer, input: { personId: string; source?: EnrollmentSource | null }): Promise<SessionRecord> {
      const v = requireTenant(viewer, 'enroll');
      const person = await repos.people.byId(v.tenantId, input.personId);
      if (!person) throw new AppError('NOT_FOUND', `No person with id "${input.personId}" in this tenant.`, { field: 'personId' });
      return repos.enrollment.createSession(v.tenantId, person.id, input.source ?? 'IMAGES');
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
      return finish(v.tenantId, session.id, session.imagesAccepted > 0 ? 'COMPLETED' : 'FAILED');
    },

    async cancel(viewer: Viewer, sessionId: string): Promise<SessionRecord> {
      const v = requireTenant(viewer, 'enroll');
      return finish(v.tenantId, sessionId, 'CANCELLED');
    },

    /** start + add + complete in one call. */
    async enrollFaces(viewer: Viewer, input: { personId: string; images: ImageInput[]; largestFaceOnly?: boolean | null }) {
      const v = requireTenant(viewer, 'enroll');
      if (input.images.length > policy.maxBatchImages) {
        throw new AppError('BATCH_TOO_LARGE', `At most ${policy.maxBatchImages} images per call; this one had ${input.images.length}. Split the batch.`, { field: 'images' });
      }
      const session = await this.start(viewer, { personId: input.personId, source: 'IMAGES' });
      try {
        const results = await addImages(v.tenantId, session, input.images, input.largestFaceOnly ?? false);
        return { session: await this.complete(viewer, session.id), results };
      } catch (err) {
        await repos.enrollment.finishSession(v.tenantId, session.id, 'FAILED').catch(() => undefined);
        throw err;
      }
    },

    async finish(tenantId: string, sessionId: string, status: 'COMPLETED' | 'CANCELLED' | 'FAILED') {
      return finish(tenantId, sessionId, status);
    },

    async session(viewer: Viewer, id: string): Promise<SessionRecord> {
      const v = requireTenant(viewer, 'readPeople');
      const session = await repos.enrollment.session(v.tenantId, id);
      if (!session) throw new AppError('NOT_FOUND', `No enrollment session with id "${id}" in this tenant.`, { field: 'id' });
      return session;
    },

    async faces(viewer: Viewer, personId: string): Promise<FaceRecord[]> {
      const v = requireTenant(viewer, 'readPeople');
      if (!(await repos.people.byId(v.tenantId, personId))) throw new AppError('NOT_FOUND', `No person with id "${personId}" in this tenant.`, { field: 'personId' });
      return repos.enrollment.facesOfPerson(v.tenantId, personId);
    },

    async deleteFace(viewer: Viewer, id: string): Promise<FaceRecord> {
      const v = requireTenant(viewer, 'managePeople');
      const face = await repos.enrollment.deleteFace(v.tenantId, id);
      if (!face) throw new AppError('NOT_FOUND', `No face with id "${id}" in this tenant.`, { field: 'id' });
      await repos.audit.record(v.tenantId, { actorKeyId: v.keyId, action: 'face.delete', target: id });
      if (face.searchable) await deps.indexChanged(v.tenantId, face.model);
      return face;
    },
  };
}

export type EnrollmentService = ReturnType<typeof createEnrollmentService>;
