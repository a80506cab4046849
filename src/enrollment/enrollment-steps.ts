import type { AuditActor } from '../db/audit-write.js';
import { AppError } from '../errors.js';
import { l2Distance } from '../embedding/index.js';
import type { RejectionReason } from './rejection-reason.js';
import type { NewFace, Repositories, SessionRecord } from '../db/index.js';
import type { AnalyzedFace } from '../vision/index.js';

/** What makes a face good enough to enroll. */
export interface FaceAcceptancePolicy {
  /** Shorter side of the face box, in pixels, below which a face is LOW_QUALITY. */
  minFaceSizePx: number;
  /** Variance of the Laplacian on the aligned crop below which a face is LOW_QUALITY (blur). */
  minSharpness: number;
  /** A face this close (L2, unit vectors) to one the person already has is a DUPLICATE. */
  duplicateDistance: number;
}

export interface EnrollmentStepsDeps {
  repos: Repositories;
  policy: FaceAcceptancePolicy;
  tenantModel: (tenantId: string) => Promise<string>;
  /** Resolves once this process's index reflects a committed change (others learn by NOTIFY). */
  indexChanged: (tenantId: string, model: string) => Promise<void>;
}

/** A face the pipeline found, judged for enrollment, or the reason it was refused. */
export type Candidate = { ok: true; face: AnalyzedFace } | { ok: false; reason: RejectionReason; message: string };

/**
 * The steps image and video enrollment share: judge the faces of one image, store the candidates
 * in an OPEN session, finish the session. Not a use case of its own: the composition root hands
 * them to video enrollment, and resolvers never see them.
 */
export function createEnrollmentSteps(deps: EnrollmentStepsDeps) {
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

  async function finish(tenantId: string, sessionId: string, status: 'COMPLETED' | 'CANCELLED' | 'FAILED', actor?: AuditActor): Promise<SessionRecord> {
    const session = await openSession(tenantId, sessionId);
    const finished = await repos.enrollment.finishSession(tenantId, session.id, status, actor);
    if (!finished) throw new AppError('CONFLICT', 'Enrollment session was finished by another request.', { field: 'sessionId' });
    if (status === 'COMPLETED') await deps.indexChanged(tenantId, await deps.tenantModel(tenantId));
    return finished;
  }

  return { openSession, judge, store, finish };
}

export type EnrollmentSteps = ReturnType<typeof createEnrollmentSteps>;
