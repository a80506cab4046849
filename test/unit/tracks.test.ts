import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TRACK_OPTIONS, linkTracks, voteTrack, type FrameFace } from '../../src/identify/tracks.js';
import { qualityWeight } from '../../src/vision/quality-weight.js';

/** A unit vector along axis `a`, tilted towards axis `b` by `t` (0: pure a). */
function vec(a: number, b = (a + 1) % 8, t = 0): Float32Array {
  const v = new Float32Array(8);
  v[a] = Math.cos(t);
  v[b] = Math.sin(t);
  return v;
}

function face(frame: number, x: number, embedding: Float32Array, over: Partial<FrameFace> = {}): FrameFace {
  return { frame, box: { x, y: 50, width: 100, height: 100 }, embedding, weight: 0.8, decision: 'MATCH', label: 'ann', distance: 0.6, ...over };
}

describe('linkTracks', () => {
  it('follows a moving face by overlap, frame after frame', () => {
    const faces = [0, 1, 2, 3].map((f) => face(f, 10 + f * 15, vec(0, 1, f * 0.05)));
    const tracks = linkTracks(faces);
    assert.equal(tracks.length, 1);
    assert.deepEqual(tracks[0]!.map((f) => f.frame), [0, 1, 2, 3]);
  });

  it('keeps two people of one scene apart', () => {
    const faces = [0, 1, 2].flatMap((f) => [face(f, 10 + f * 5, vec(0), { label: 'ann' }), face(f, 400 - f * 5, vec(4), { label: 'bob' })]);
    const tracks = linkTracks(faces);
    assert.equal(tracks.length, 2);
    for (const t of tracks) assert.equal(new Set(t.map((f) => f.label)).size, 1);
  });

  it('refuses to link a sharp face of someone else who steps into the same place', () => {
    const faces = [face(0, 10, vec(0)), face(1, 12, vec(0)), face(2, 14, vec(4), { label: 'bob' })];
    const tracks = linkTracks(faces);
    assert.deepEqual(tracks.map((t) => t.length), [2, 1]);
  });

  it('links a low-quality face by overlap alone: its embedding is not trusted to refuse', () => {
    const faces = [face(0, 10, vec(0)), face(1, 12, vec(4), { weight: 0.05, decision: 'UNKNOWN', label: null }), face(2, 14, vec(0))];
    assert.equal(linkTracks(faces).length, 1);
  });

  it('bridges a gap of up to maxGap frames without a detection, not longer', () => {
    const gap = DEFAULT_TRACK_OPTIONS.maxGap;
    const bridged = linkTracks([face(0, 10, vec(0, 1, 0)), face(gap + 1, 12, vec(0, 1, 0.6))]);
    assert.equal(bridged.length, 1);
    const broken = linkTracks([face(0, 10, vec(0, 1, 0)), face(gap + 2, 12, vec(0, 1, 0.6))]);
    assert.equal(broken.length, 2);
  });

  it('re-identifies a face that jumped (no overlap) when it is very close in embedding', () => {
    const tracks = linkTracks([face(0, 10, vec(0, 1, 0)), face(1, 600, vec(0, 1, 0.1))]);
    assert.equal(tracks.length, 1);
  });

  it('gives each face to one track only, the best-overlapping one', () => {
    const faces = [face(0, 0, vec(0)), face(0, 60, vec(0)), face(1, 5, vec(0))];
    const tracks = linkTracks(faces);
    assert.deepEqual(tracks.map((t) => t.length).sort(), [1, 2]);
    assert.equal(tracks.find((t) => t.length === 2)![0]!.box.x, 0);
  });
});

describe('voteTrack', () => {
  it('lets a majority of good frames outvote one bad frame', () => {
    const faces = [face(0, 0, vec(0)), face(1, 0, vec(0)), face(2, 0, vec(0), { decision: 'UNKNOWN', label: null, weight: 0.1, distance: 1.3 }), face(3, 0, vec(0), { distance: 0.5 })];
    const vote = voteTrack(faces);
    assert.equal(vote.decision, 'MATCH');
    assert.equal(vote.label, 'ann');
    assert.equal(vote.supporting, 3);
    assert.equal(vote.agreement, 0.75);
    assert.equal(vote.distance, 0.5);
  });

  it('weighs by quality: two sharp frames beat three blurred ones', () => {
    const blurred = { decision: 'MATCH' as const, label: 'bob', weight: 0.1 };
    const faces = [face(0, 0, vec(0)), face(1, 0, vec(0)), ...[2, 3, 4].map((f) => face(f, 0, vec(0), blurred))];
    const vote = voteTrack(faces);
    assert.equal(vote.label, 'ann');
    assert.equal(vote.agreement, 0.4);
  });

  it('answers UNKNOWN when unknown frames weigh most, and breaks exact ties by frame count', () => {
    const unknown = { decision: 'UNKNOWN' as const, label: null, distance: 1.2 };
    assert.equal(voteTrack([face(0, 0, vec(0)), face(1, 0, vec(0), unknown), face(2, 0, vec(0), unknown)]).decision, 'UNKNOWN');
    const tie = voteTrack([face(0, 0, vec(0), { weight: 0.5 }), face(1, 0, vec(0), { ...unknown, weight: 0.25 }), face(2, 0, vec(0), { ...unknown, weight: 0.25 })]);
    assert.equal(tie.decision, 'UNKNOWN');
    assert.equal(tie.label, null);
  });

  it('takes the box of the best-quality agreeing frame', () => {
    const vote = voteTrack([face(0, 1, vec(0), { weight: 0.3 }), face(1, 2, vec(0), { weight: 0.9 }), face(2, 3, vec(0), { weight: 0.99, label: 'bob' })]);
    assert.equal(vote.label, 'ann');
    assert.equal(vote.best.box.x, 2);
  });
});

describe('qualityWeight', () => {
  it('rises with sharpness and size, stays in (0, 1]', () => {
    const sharp = qualityWeight({ detectionScore: 1, faceSizePx: 200, sharpness: 800 });
    const blurred = qualityWeight({ detectionScore: 1, faceSizePx: 200, sharpness: 5 });
    const small = qualityWeight({ detectionScore: 1, faceSizePx: 20, sharpness: 800 });
    assert.ok(sharp > 0.7 && sharp <= 1);
    assert.ok(blurred < sharp / 5);
    assert.ok(small < sharp / 2);
    assert.ok(qualityWeight({ detectionScore: 0, faceSizePx: 0, sharpness: 0 }) > 0);
  });
});
