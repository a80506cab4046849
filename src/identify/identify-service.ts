import { performance } from 'node:perf_hooks';
import { requireTenant, type Viewer } from '../auth/index.js';
import type { NewRecognitionEvent, PersonRecord, Repositories } from '../db/index.js';
import { validateVoteParams, type TenantSettings } from '../tenants/index.js';
import { imageBytes, type AnalyzedFace, type AnalyzedImage, type FaceAnalyzer, type ImageInput } from '../vision/index.js';
import { AppError } from '../errors.js';
import type { FaceNeighbour, SearchFaces } from '../search/index.js';
import { classifyFace, type Classification, type VoteOverrides, type VoteParams } from './vote.js';

export interface IdentifyDeps {
  repos: Repositories;
  analyze: FaceAnalyzer;
  search: SearchFaces;
  settings: (tenantId: string) => Promise<TenantSettings>;
  maxImageBytes: number;
  /** Hard cap on faces per image, whatever the caller asks. */
  maxFacesCap?: number;
  /** After each identify: its decisions and stage timings, for metrics. */
  onIdentified?: (tenantId: string, decisions: readonly NewRecognitionEvent['decision'][], timingsMs: Record<string, number>) => void;
}

export interface IdentifyInput extends VoteOverrides {
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

/** One face decided: the vote and the neighbours it was taken over. */
export interface FaceDecision {
  face: AnalyzedFace;
  classification: Classification;
  neighbours: FaceNeighbour[];
}

export function resolveParams(settings: TenantSettings, input: VoteOverrides): VoteParams {
  const params = { k1: input.k1 ?? settings.k1, k2: input.k2 ?? settings.k2, threshold: input.threshold ?? settings.threshold };
  validateVoteParams(params);
  return params;
}

export function createIdentifyService(deps: IdentifyDeps) {
  const cap = deps.maxFacesCap ?? 50;

  /** Search and vote for every face of an analysed image. Shared with identify over frames. */
  async function decide(tenantId: string, model: string, faces: readonly AnalyzedFace[], params: VoteParams): Promise<FaceDecision[]> {
    return Promise.all(
      faces.map(async (face) => {
        const neighbours = await deps.search(tenantId, model, face.embedding, params.k2);
        return { face, neighbours, classification: classifyFace(neighbours, params) };
      }),
    );
  }

  async function people(tenantId: string, ids: Iterable<string>): Promise<Map<string, PersonRecord>> {
    const unique = [...new Set(ids)];
    const found = unique.length === 0 ? [] : await deps.repos.people.byIds(tenantId, unique);
    return new Map(found.map((p) => [p.id, p]));
  }

  function checkSource(source: string | null | undefined): string | null {
    if (source === undefined || source === null) return null;
    if (source.length > 200) throw new AppError('BAD_USER_INPUT', 'source must be at most 200 characters.', { field: 'source' });
    return source;
  }

  return {
    decide,
    people,
    checkSource,

    async identify(viewer: Viewer, input: IdentifyInput) {
      const started = performance.now();
      const v = requireTenant(viewer, 'identify');
      const settings = await deps.settings(v.tenantId);
      const params = resolveParams(settings, input);
      const source = checkSource(input.source);
      if (input.maxFaces !== undefined && input.maxFaces !== null && (!Number.isInteger(input.maxFaces) || input.maxFaces < 1 || input.maxFaces > cap)) {
        throw new AppError('BAD_USER_INPUT', `maxFaces must be from 1 to ${cap}.`, { field: 'maxFaces' });
      }
      const bytes = imageBytes(input.image, deps.maxImageBytes);
      const analyzed: AnalyzedImage = await deps.analyze(bytes, { modelId: settings.model, maxFaces: input.maxFaces ?? cap });
      const searchStarted = performance.now();
      const decisions = await decide(v.tenantId, settings.model, analyzed.faces, params);
      const searchMs = performance.now() - searchStarted;
      const byId = await people(v.tenantId, decisions.flatMap((d) => d.neighbours.map((n) => n.label)));

      const faces: IdentifiedFace[] = decisions.map(({ face, classification, neighbours }) => ({
        box: face.box,
        detectionScore: face.detectionScore,
        quality: face.quality,
        decision: classification.decision,
        person: classification.decision === 'MATCH' ? (byId.get(classification.label) ?? null) : null,
        distance: classification.distance,
        votes: classification.votes,
        candidates: neighbours.map((n) => ({ faceId: n.faceId, person: byId.get(n.label) ?? null, distance: n.distance })),
      }));

      const latencyMs = performance.now() - started;
      const base = { ...params, model: settings.model, source, frames: 1, latencyMs };
      const events: NewRecognitionEvent[] =
        faces.length === 0
          ? [{ ...base, personId: null, decision: 'NO_FACE', distance: null, votes: null, box: null }]
          : faces.map((f) => ({ ...base, personId: f.person?.id ?? null, decision: f.person ? 'MATCH' : 'UNKNOWN', distance: f.distance, votes: f.votes, box: f.box }));
      const eventIds = await deps.repos.events.insertMany(v.tenantId, events);
      const timingsMs = { ...analyzed.timingsMs, search: searchMs, total: performance.now() - started };
      deps.onIdentified?.(v.tenantId, events.map((e) => e.decision), timingsMs);
      return { faces, eventIds, timingsMs };
    },
  };
}

export type IdentifyService = ReturnType<typeof createIdentifyService>;
