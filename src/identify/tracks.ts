/**
 * Linking faces across the frames of one short clip into tracks, and one decision per track.
 * Pure: no I/O, no models; the identify-over-frames use case feeds it decided faces.
 *
 * Why tracks: the paper's argument for a live feed is that aggregating consecutive frames
 * outvotes the frame that was blurred, turned away or badly lit. Voting must stay per person in
 * the scene, so faces are first grouped by where they are (box overlap with the previous frame)
 * and confirmed by what they look like (embedding distance), which stops a different person who
 * steps into the same place from inheriting a track.
 */

import { l2Distance } from '../embedding/index.js';
import { iou, type Box } from '../vision/index.js';

export type TrackBox = Box;

/** One face of one frame, already decided on its own. */
export interface FrameFace {
  frame: number;
  box: TrackBox;
  embedding: Float32Array;
  /** Vote weight from image quality, in (0, 1]; see qualityWeight. */
  weight: number;
  decision: 'MATCH' | 'UNKNOWN';
  /** The matched person when decision is MATCH. */
  label: string | null;
  distance: number | null;
}

export interface TrackOptions {
  /** Box overlap (intersection over union) with the track's last face needed to link. */
  minIoU: number;
  /** An overlapping face farther than this (L2, unit vectors) from the track is someone else. */
  maxLinkDistance: number;
  /**
   * Below this quality weight a face's embedding is not trusted to refuse a link: a heavily
   * blurred face lands far from everyone, itself included, so overlap alone links it (its vote
   * then counts little). Without this, the one bad frame becomes a track of its own.
   */
  minTrustedWeight: number;
  /** A face this close to a track links even without overlap (fast motion, sparse sampling). */
  reidDistance: number;
  /** Frames a track may miss (face not detected) and still continue. */
  maxGap: number;
}

/**
 * Defaults for the face model, whose same-person distances sit well below 1.0 and
 * different-person ones near 1.4 (tenant-settings.ts). 1.2 leaves room for a blurred frame of
 * the same person while still refusing a stranger in the same place.
 */
export const DEFAULT_TRACK_OPTIONS: TrackOptions = { minIoU: 0.3, maxLinkDistance: 1.2, minTrustedWeight: 0.2, reidDistance: 0.8, maxGap: 2 };

export interface TrackVote<T extends FrameFace = FrameFace> {
  faces: T[];
  decision: 'MATCH' | 'UNKNOWN';
  label: string | null;
  /** Faces whose own decision (and person) equals the track's. */
  supporting: number;
  /** supporting / faces.length. */
  agreement: number;
  /** Smallest distance among the supporting faces. */
  distance: number | null;
  /** The supporting face with the highest weight: its box stands for the track. */
  best: T;
}

interface OpenTrack<T> {
  faces: T[];
  last: T;
  best: T;
}

/**
 * Groups faces into tracks, frame by frame: each face joins the open track it overlaps most (and
 * looks like), or starts a new one. Greedy on overlap, which is enough for the handful of faces
 * of one scene. Tracks come back in order of first appearance.
 */
export function linkTracks<T extends FrameFace>(faces: readonly T[], options: TrackOptions = DEFAULT_TRACK_OPTIONS): T[][] {
  const byFrame = new Map<number, T[]>();
  for (const f of faces) byFrame.set(f.frame, [...(byFrame.get(f.frame) ?? []), f]);
  const tracks: OpenTrack<T>[] = [];
  for (const frame of [...byFrame.keys()].sort((a, b) => a - b)) {
    const current = byFrame.get(frame)!;
    const pairs: { track: OpenTrack<T>; face: T; overlap: number; distance: number }[] = [];
    for (const track of tracks) {
      if (frame - track.last.frame > options.maxGap + 1) continue;
      for (const face of current) {
        const overlap = iou(track.last.box, face.box);
        const distance = Math.min(l2Distance(track.last.embedding, face.embedding), l2Distance(track.best.embedding, face.embedding));
        const looksAlike = distance <= options.maxLinkDistance || face.weight < options.minTrustedWeight;
        if ((overlap >= options.minIoU && looksAlike) || distance <= options.reidDistance) {
          pairs.push({ track, face, overlap, distance });
        }
      }
    }
    pairs.sort((a, b) => b.overlap - a.overlap || a.distance - b.distance);
    const usedTracks = new Set<OpenTrack<T>>();
    const usedFaces = new Set<T>();
    for (const p of pairs) {
      if (usedTracks.has(p.track) || usedFaces.has(p.face)) continue;
      usedTracks.add(p.track);
      usedFaces.add(p.face);
      p.track.faces.push(p.face);
      p.track.last = p.face;
      if (p.face.weight > p.track.best.weight) p.track.best = p.face;
    }
    for (const face of current) if (!usedFaces.has(face)) tracks.push({ faces: [face], last: face, best: face });
  }
  return tracks.map((t) => t.faces);
}

/**
 * One decision per track: each face votes for its own decision (a person, or UNKNOWN) with its
 * quality weight; the heaviest wins, ties going to more faces and then to the nearer match.
 */
export function voteTrack<T extends FrameFace>(faces: readonly T[]): TrackVote<T> {
  if (faces.length === 0) throw new Error('voteTrack needs at least one face');
  const buckets = new Map<string, { weight: number; faces: T[]; distance: number }>();
  for (const f of faces) {
    const key = f.decision === 'MATCH' && f.label !== null ? `person:${f.label}` : 'unknown';
    const b = buckets.get(key) ?? { weight: 0, faces: [], distance: Infinity };
    b.weight += f.weight;
    b.faces.push(f);
    if (f.distance !== null) b.distance = Math.min(b.distance, f.distance);
    buckets.set(key, b);
  }
  const [key, winner] = [...buckets.entries()].sort(
    ([, a], [, b]) => b.weight - a.weight || b.faces.length - a.faces.length || a.distance - b.distance,
  )[0]!;
  const best = winner.faces.reduce((a, b) => (b.weight > a.weight ? b : a));
  return {
    faces: [...faces],
    decision: key === 'unknown' ? 'UNKNOWN' : 'MATCH',
    label: key === 'unknown' ? null : key.slice('person:'.length),
    supporting: winner.faces.length,
    agreement: winner.faces.length / faces.length,
    distance: Number.isFinite(winner.distance) ? winner.distance : null,
    best,
  };
}
