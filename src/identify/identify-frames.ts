import { performance } from 'node:perf_hooks';
import { requireTenant, type TenantViewer, type Viewer } from '../auth/index.js';
import type { NewRecognitionEvent, PersonRecord, Repositories } from '../db/index.js';
import { AppError, isAppError } from '../errors.js';
import type { TenantSettings } from '../tenants/index.js';
import { imageBytes, qualityWeight, type AnalyzedFace, type AnalyzedImage, type FaceAnalyzer, type FrameAnalyzer, type ImageInput } from '../vision/index.js';
import { checkFps, sampleVideo, type VideoInput, type VideoSettings } from '../video/index.js';
import type { VoteOverrides, VoteParams } from './vote.js';
import type { SearchFaces, SearchScope } from '../search/index.js';
import { resolveParams, type GalleryChoice, type IdentifyDeps } from './identify-service.js';
import { searchedGalleries } from '../galleries/gallery-ids.js';
import { checkSource, decideFaces, peopleByIds } from './face-decisions.js';
import { DEFAULT_TRACK_OPTIONS, linkTracks, voteTrack, type FrameFace, type TrackOptions } from './tracks.js';

export interface FrameIdentifyDeps {
  repos: Repositories;
  search: SearchFaces;
  analyze: FaceAnalyzer;
  analyzeFrame: FrameAnalyzer;
  /** The caller's tenant settings (read with its key when it brought them). */
  settings: (viewer: TenantViewer) => Promise<TenantSettings>;
  /** Most frames per call (config maxFrames); a video is sampled up to this many. */
  maxFrames: number;
  maxImageBytes: number;
  video: VideoSettings;
  tracks?: TrackOptions;
  /** Faces looked at per frame: a clip of one scene, not a crowd. */
  maxFacesPerFrame?: number;
  /** After each call: its decisions and timings, for metrics (identify's hook). */
  onIdentified?: IdentifyDeps['onIdentified'];
}

interface ClipInput extends VoteOverrides, GalleryChoice {
  source?: string | null;
}

export interface IdentifyFramesInput extends ClipInput {
  frames: ImageInput[];
}

export interface IdentifyVideoInput extends ClipInput {
  video: VideoInput;
  fps?: number | null;
}

/** One face of one frame with its own decision, as the result explains a track. */
interface TrackFace extends FrameFace {
  quality: AnalyzedFace['quality'];
  votes: number;
}

export const DEFAULT_VIDEO_FPS = 2;

/**
 * identifyFrames / identifyVideo: the frames are one short clip of one scene. Each face is decided
 * on its own (the same search and vote as identify), faces are linked across frames into tracks,
 * and each track gets the quality-weighted majority of its faces' decisions; one
 * RecognitionEvent per track records how many frames supported it.
 */
export function createFrameIdentifyService(deps: FrameIdentifyDeps) {
  const trackOptions = deps.tracks ?? DEFAULT_TRACK_OPTIONS;
  const maxFaces = deps.maxFacesPerFrame ?? 20;

  async function prepare(viewer: Viewer, input: ClipInput) {
    const v = requireTenant(viewer, 'identify');
    const settings = await deps.settings(v);
    const params = resolveParams(v.role, settings, input);
    const scope: SearchScope = { tenantId: v.tenantId, model: settings.model, galleryIds: await searchedGalleries(deps.repos, v, settings.defaultGalleryIds, input.galleryIds) };
    return { v, settings, params, scope, source: checkSource(input.source) };
  }

  async function identifyClip({ v, settings, params, scope, source }: Awaited<ReturnType<typeof prepare>>, analyzed: AsyncIterable<AnalyzedImage>, started: number) {
    const faces: TrackFace[] = [];
    let framesRead = 0;
    for await (const image of analyzed) {
      const frame = framesRead++;
      for (const d of await decideFaces(deps.search, scope, image.faces, params)) {
        faces.push({
          frame,
          box: d.face.box,
          embedding: d.face.embedding,
          quality: d.face.quality,
          weight: qualityWeight(d.face.quality),
          decision: d.classification.decision,
          label: d.classification.decision === 'MATCH' ? d.classification.label : null,
          distance: d.classification.distance,
          votes: d.classification.votes,
        });
      }
    }
    const votes = linkTracks(faces, trackOptions).map((t) => voteTrack(t));
    const byId = await peopleByIds(deps.repos, v.tenantId, faces.flatMap((f) => (f.label ? [f.label] : [])));
    const person = (label: string | null): PersonRecord | null => (label ? (byId.get(label) ?? null) : null);

    const tracks = votes.map((t) => ({
      decision: t.decision,
      person: person(t.label),
      agreement: t.agreement,
      supportingFrames: t.supporting,
      frameCount: t.faces.length,
      distance: t.distance,
      box: t.best.box,
      frames: t.faces.map((f) => ({ frame: f.frame, box: f.box, quality: f.quality, weight: f.weight, decision: f.decision, person: person(f.label), distance: f.distance, votes: f.votes })),
    }));

    const latencyMs = performance.now() - started;
    const base = { ...params, model: settings.model, source, latencyMs, galleryIds: [...scope.galleryIds] };
    const events: NewRecognitionEvent[] =
      votes.length === 0
        ? [{ ...base, frames: framesRead, personId: null, decision: 'NO_FACE', distance: null, votes: null, box: null }]
        : votes.map((t, trackId) => ({
            ...base,
            trackId,
            callStart: trackId === 0,
            faceQuality: t.best.quality.sharpness,
            frames: t.supporting,
            personId: t.decision === 'MATCH' ? t.label : null,
            decision: t.decision,
            distance: t.distance,
            votes: t.best.votes,
            box: t.best.box,
          }));
    const eventIds = await deps.repos.events.insertMany(v.tenantId, events);
    const timingsMs = { total: performance.now() - started };
    deps.onIdentified?.(v.tenantId, events.map((e) => e.decision), timingsMs);
    return { tracks, framesRead, eventIds, timingsMs };
  }

  return {
    async identifyFrames(viewer: Viewer, input: IdentifyFramesInput) {
      const started = performance.now();
      const prepared = await prepare(viewer, input);
      const { settings } = prepared;
      if (input.frames.length === 0) throw new AppError('BAD_USER_INPUT', 'Send at least one frame.', { field: 'frames' });
      if (input.frames.length > deps.maxFrames) {
        throw new AppError('BATCH_TOO_LARGE', `At most ${deps.maxFrames} frames per call; this one had ${input.frames.length}. Send a shorter clip.`, { field: 'frames' });
      }
      // Every frame is checked before any is analysed, so a bad frame costs no model time.
      const bytes = input.frames.map((f, i) => imageBytes(f, deps.maxImageBytes, `frames.${i}`));
      async function* analyzed() {
        for (const [i, b] of bytes.entries()) {
          try {
            yield await deps.analyze(b, { modelId: settings.model, maxFaces });
          } catch (err) {
            if (isAppError(err) && (err.code === 'INVALID_IMAGE' || err.code === 'IMAGE_TOO_LARGE')) {
              throw new AppError(err.code, `Frame ${i}: ${err.message}`, { ...err.details, field: `frames.${i}` });
            }
            throw err;
          }
        }
      }
      return identifyClip(prepared, analyzed(), started);
    },

    async identifyVideo(viewer: Viewer, input: IdentifyVideoInput, signal?: AbortSignal) {
      const started = performance.now();
      const prepared = await prepare(viewer, input);
      const { settings } = prepared;
      const fps = checkFps(input.fps, DEFAULT_VIDEO_FPS);
      const frames = sampleVideo(input.video, deps.video, { fps, maxFrames: deps.maxFrames }, signal);
      async function* analyzed() {
        for await (const frame of frames) yield await deps.analyzeFrame(frame.image, { modelId: settings.model, maxFaces });
      }
      return identifyClip(prepared, analyzed(), started);
    },
  };
}

export type FrameIdentifyService = ReturnType<typeof createFrameIdentifyService>;
