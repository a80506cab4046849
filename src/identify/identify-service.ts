import { performance } from 'node:perf_hooks';
import { requireTenant, type TenantViewer, type Viewer } from '../auth/index.js';
import type { NewRecognitionEvent, PersonRecord, Repositories } from '../db/index.js';
import { checkVoteOverride, maySeeUnknownCandidates, type TenantSettings } from '../tenants/index.js';
import type { Role } from '../roles.js';
import { imageBytes, type AnalyzedFace, type AnalyzedImage, type FaceAnalyzer, type ImageInput } from '../vision/index.js';
import { AppError } from '../errors.js';
import type { SearchFaces } from '../search/index.js';
import type { Classification } from './vote.js';
import { checkSource, decideFaces, peopleByIds } from './face-decisions.js';
import { validateVoteParams, type VoteOverrides, type VoteParams } from './vote-params.js';
import type { FaceNeighbour } from '../search/index.js';
import { runnerUpMargin } from './margin.js';
import { searchedGalleries } from '../galleries/gallery-ids.js';

export interface IdentifyDeps {
  repos: Repositories;
  analyze: FaceAnalyzer;
  search: SearchFaces;
  /** The caller's tenant settings (read with its key when it brought them). */
  settings: (viewer: TenantViewer) => Promise<TenantSettings>;
  maxImageBytes: number;
  /** Hard cap on faces per image, whatever the caller asks. */
  maxFacesCap?: number;
  /** After each identify: its decisions and stage timings, for metrics. */
  onIdentified?: (tenantId: string, decisions: readonly NewRecognitionEvent['decision'][], timingsMs: Record<string, number>) => void;
}

/** Galleries to search; absent: a scoped key's own, otherwise the tenant's default gallery set. */
export interface GalleryChoice {
  galleryIds?: readonly string[] | null;
}

export interface IdentifyInput extends VoteOverrides, GalleryChoice {
  image: ImageInput;
  source?: string | null;
  maxFaces?: number | null;
}

export interface Candidate {
  faceId: string;
  person: PersonRecord | null;
  distance: number;
}

export interface IdentifiedFace {
  box: AnalyzedFace['box'];
  detectionScore: number;
  quality: AnalyzedFace['quality'];
  decision: Classification['decision'];
  person: PersonRecord | null;
  distance: number | null;
  votes: number;
  candidates: Candidate[];
}

/** The request's vote parameters: valid ranges first (BAD_USER_INPUT), then the tenant's policy for the role (FORBIDDEN). */
export function resolveParams(role: Role, settings: TenantSettings, input: VoteOverrides): VoteParams {
  const params = { k1: input.k1 ?? settings.k1, k2: input.k2 ?? settings.k2, threshold: input.threshold ?? settings.threshold };
  validateVoteParams(params);
  checkVoteOverride(role, settings, settings, input);
  return params;
}

export function createIdentifyService(deps: IdentifyDeps) {
  const cap = deps.maxFacesCap ?? 50;

  return {
    /** `reservation` (the call's quota, spent while the image is analysed) must hold before anything is stored. */
    async identify(viewer: Viewer, input: IdentifyInput, reservation?: Promise<unknown>) {
      const started = performance.now();
      const v = requireTenant(viewer, 'identify');
      const settings = await deps.settings(v);
      const params = resolveParams(v.role, settings, input);
      const galleryIds = await searchedGalleries(deps.repos, v, settings.defaultGalleryIds, input.galleryIds);
      const source = checkSource(input.source);
      if (input.maxFaces !== undefined && input.maxFaces !== null && (!Number.isInteger(input.maxFaces) || input.maxFaces < 1 || input.maxFaces > cap)) {
        throw new AppError('BAD_USER_INPUT', `maxFaces must be from 1 to ${cap}.`, { field: 'maxFaces' });
      }
      const bytes = imageBytes(input.image, deps.maxImageBytes);
      const analyzed: AnalyzedImage = await deps.analyze(bytes, { modelId: settings.model, maxFaces: input.maxFaces ?? cap });
      const searchStarted = performance.now();
      const decisions = await decideFaces(deps.search, { tenantId: v.tenantId, model: settings.model, galleryIds }, analyzed.faces, params);
      const searchMs = performance.now() - searchStarted;
      const byId = await peopleByIds(deps.repos, v.tenantId, decisions.flatMap((d) => d.neighbours.map((n) => n.label)));

      const margins = decisions.map(({ classification: c, neighbours }) => runnerUpMargin(neighbours, { label: c.decision === 'MATCH' ? c.label : null, distance: c.distance }));
      const faces: IdentifiedFace[] = decisions.map(({ face, classification, neighbours }) => ({
        box: face.box,
        detectionScore: face.detectionScore,
        quality: face.quality,
        decision: classification.decision,
        person: classification.decision === 'MATCH' ? (byId.get(classification.label) ?? null) : null,
        distance: classification.distance,
        votes: classification.votes,
        candidates:
          classification.decision === 'MATCH' || maySeeUnknownCandidates(v.role, settings)
            ? neighbours.map((n) => ({ faceId: n.faceId, person: byId.get(n.label) ?? null, distance: n.distance }))
            : [],
      }));

      const latencyMs = performance.now() - started;
      const base = { ...params, model: settings.model, source, frames: 1, latencyMs, galleryIds };
      const events: NewRecognitionEvent[] =
        faces.length === 0
          ? [{ ...base, personId: null, decision: 'NO_FACE', distance: null, votes: null, box: null }]
          : faces.map((f, i) => ({ ...base, personId: f.person?.id ?? null, decision: f.person ? 'MATCH' : 'UNKNOWN', distance: f.distance, votes: f.votes, box: f.box, faceQuality: f.quality.sharpness, margin: margins[i] ?? null, callStart: i === 0 }));
      await reservation;
      const eventIds = await deps.repos.events.insertMany(v.tenantId, events);
      const timingsMs = { ...analyzed.timingsMs, search: searchMs, total: performance.now() - started };
      deps.onIdentified?.(v.tenantId, events.map((e) => e.decision), timingsMs);
      return { faces, eventIds, timingsMs };
    },
  };
}

export type IdentifyService = ReturnType<typeof createIdentifyService>;
