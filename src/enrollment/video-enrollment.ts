import { AppError } from '../errors.js';
import { requireTenant, type Viewer } from '../auth/index.js';
import type { Repositories, SessionRecord } from '../db/index.js';
import { qualityWeight, type AnalyzedFace, type FrameAnalyzer } from '../vision/index.js';
import { checkFps, sampleVideo, type VideoInput, type VideoSettings } from '../video/index.js';
import type { Candidate, EnrollmentService } from './enrollment-service.js';
import { l2Distance } from '../embedding/index.js';

export interface VideoEnrollmentPolicy {
  defaultFps: number;
  /** Faces kept per video when the caller does not say. */
  defaultMaxFrames: number;
  /** Most faces a caller may ask to keep from one video. */
  maxMaxFrames: number;
  /** ffmpeg stops after this many sampled frames (120 s at the default 2 fps). */
  maxFramesRead: number;
  /**
   * A frame whose face is this close (L2, unit vectors) to one already kept adds nothing: a
   * still stretch of video gives near-identical embeddings. Larger than the image DUPLICATE
   * distance (0.05), which only catches the same photo sent twice.
   */
  nearDuplicateDistance: number;
}

export const DEFAULT_VIDEO_ENROLLMENT_POLICY: VideoEnrollmentPolicy = {
  defaultFps: 2,
  defaultMaxFrames: 20,
  maxMaxFrames: 100,
  maxFramesRead: 240,
  nearDuplicateDistance: 0.3,
};

export interface VideoEnrollmentDeps {
  repos: Repositories;
  enrollment: EnrollmentService;
  analyzeFrame: FrameAnalyzer;
  tenantModel: (tenantId: string) => Promise<string>;
  video: VideoSettings;
  policy?: VideoEnrollmentPolicy;
}

export interface EnrollVideoInput {
  personId: string;
  video: VideoInput;
  fps?: number | null;
  maxFrames?: number | null;
}

type Accepted = Extract<Candidate, { ok: true }>;

/**
 * enrollVideo: the paper builds its gallery from filmed people, one video per person. Every
 * sampled frame goes through the pipeline and the image enrollment's judgement (exactly one face,
 * big and sharp enough); of the frames that pass, the best are kept, skipping near-duplicates.
 * The session is created only once the whole video has decoded, so a corrupt or truncated upload
 * leaves nothing behind.
 */
export function createVideoEnrollmentService(deps: VideoEnrollmentDeps) {
  const policy = deps.policy ?? DEFAULT_VIDEO_ENROLLMENT_POLICY;

  function checkMaxFrames(n: number | null | undefined): number {
    if (n === undefined || n === null) return policy.defaultMaxFrames;
    if (!Number.isInteger(n) || n < 1 || n > policy.maxMaxFrames) {
      throw new AppError('BAD_USER_INPUT', `maxFrames must be a whole number from 1 to ${policy.maxMaxFrames}; got ${n}.`, { field: 'maxFrames' });
    }
    return n;
  }

  return {
    async enrollVideo(viewer: Viewer, input: EnrollVideoInput, signal?: AbortSignal): Promise<SessionRecord> {
      const v = requireTenant(viewer, 'enroll');
      const fps = checkFps(input.fps, policy.defaultFps);
      const maxFrames = checkMaxFrames(input.maxFrames);
      const person = await deps.repos.people.byId(v.tenantId, input.personId);
      if (!person) throw new AppError('NOT_FOUND', `No person with id "${input.personId}" in this tenant.`, { field: 'personId' });
      const model = await deps.tenantModel(v.tenantId);

      const rejected: Candidate[] = [];
      const passed: Accepted[] = [];
      let framesRead = 0;
      for await (const frame of sampleVideo(input.video, deps.video, { fps, maxFrames: policy.maxFramesRead }, signal)) {
        framesRead++;
        const analyzed = await deps.analyzeFrame(frame.image, { modelId: model });
        const verdict = deps.enrollment.judge(analyzed.faces, false);
        if (verdict.ok) passed.push(verdict);
        else rejected.push(verdict);
      }

      const { kept, nearDuplicates, notSelected } = selectFrames(passed, maxFrames, policy.nearDuplicateDistance);
      const session = await deps.repos.enrollment.createSession(v.tenantId, person.id, 'VIDEO');
      try {
        // Near-duplicates count as DUPLICATE rejections; frames left out only because enough
        // better ones were kept are not rejections, so they are reported apart.
        const candidates: Candidate[] = [...kept, ...nearDuplicates.map((): Candidate => ({ ok: false, reason: 'DUPLICATE', message: 'Near-duplicate of a kept frame.' })), ...rejected];
        await deps.enrollment.store(v.tenantId, session, model, candidates, { framesRead, nearDuplicates: nearDuplicates.length, notSelected });
        const stored = (await deps.repos.enrollment.session(v.tenantId, session.id))!;
        return await deps.enrollment.finish(v.tenantId, session.id, stored.imagesAccepted > 0 ? 'COMPLETED' : 'FAILED');
      } catch (err) {
        await deps.repos.enrollment.finishSession(v.tenantId, session.id, 'FAILED').catch(() => undefined);
        throw err;
      }
    },
  };
}

/**
 * Best quality first; a frame is skipped when its face is within `nearDistance` of one already
 * kept, and selection stops at `maxFrames`.
 */
export function selectFrames(passed: readonly Accepted[], maxFrames: number, nearDistance: number): { kept: Accepted[]; nearDuplicates: Accepted[]; notSelected: number } {
  const ranked = [...passed].sort((a, b) => score(b.face) - score(a.face));
  const kept: Accepted[] = [];
  const nearDuplicates: Accepted[] = [];
  let notSelected = 0;
  for (const c of ranked) {
    if (kept.some((k) => l2Distance(k.face.embedding, c.face.embedding) < nearDistance)) nearDuplicates.push(c);
    else if (kept.length < maxFrames) kept.push(c);
    else notSelected++;
  }
  return { kept, nearDuplicates, notSelected };
}

function score(face: AnalyzedFace): number {
  return qualityWeight(face.quality);
}

export type VideoEnrollmentService = ReturnType<typeof createVideoEnrollmentService>;
