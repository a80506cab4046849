import { arg, extendType, inputObjectType, nonNull, objectType } from 'nexus';
import { SEARCHED_GALLERIES } from './gallery.js';

export const VideoInput = inputObjectType({
  name: 'VideoInput',
  description: 'A video file (MP4, MOV, WebM, MKV or AVI), base64 `data` or an uploaded `file`; size limited by VISAGE_MAX_VIDEO_BYTES.',
  definition(t) {
    t.string('data', { description: 'The video, base64-encoded. Give this or `file`.' });
    t.field('file', { type: 'Upload', description: 'The video as a part of a multipart/form-data request (README, "Sending images as files"). Give this or `data`.' });
    t.string('filename', { description: 'Echoed in error messages.' });
  },
});

export const TrackFrame = objectType({
  name: 'TrackFrame',
  description: 'One face of a track, decided on its own frame.',
  definition(t) {
    t.nonNull.int('frame', { description: 'Position of the frame in the request, or among the sampled video frames, from 0.' });
    t.nonNull.field('box', { type: 'Box' });
    t.nonNull.field('quality', { type: 'FaceQuality' });
    t.nonNull.float('weight', { description: 'How much this frame counted in the track’s vote (0–1, from detection score, size and sharpness).' });
    t.nonNull.field('decision', { type: 'RecognitionDecision' });
    t.field('person', { type: 'Person' });
    t.float('distance');
    t.nonNull.int('votes');
  },
});

export const FaceTrack = objectType({
  name: 'FaceTrack',
  description: 'One face followed across frames, with one decision by quality-weighted vote over its frames.',
  definition(t) {
    t.nonNull.field('decision', { type: 'RecognitionDecision' });
    t.field('person', { type: 'Person', description: 'The match; null when UNKNOWN.' });
    t.nonNull.float('agreement', { description: 'Share of the track’s frames whose own decision agreed with the track’s.' });
    t.nonNull.int('supportingFrames', { description: 'Frames that agreed; stored as the event’s `frames`.' });
    t.nonNull.int('frameCount', { description: 'Frames the face was seen in.' });
    t.float('distance', { description: 'Smallest distance among the agreeing frames.' });
    t.nonNull.field('box', { type: 'Box', description: 'The box in the track’s best-quality agreeing frame.' });
    t.nonNull.list.nonNull.field('frames', { type: 'TrackFrame' });
  },
});

export const FramesTimings = objectType({
  name: 'FramesTimings',
  definition(t) {
    t.nonNull.float('total');
  },
});

export const IdentifyFramesPayload = objectType({
  name: 'IdentifyFramesPayload',
  definition(t) {
    t.nonNull.list.nonNull.field('tracks', { type: 'FaceTrack' });
    t.nonNull.int('framesRead');
    t.nonNull.list.nonNull.id('eventIds', { description: 'One event per track (one NO_FACE event when no face was seen).' });
    t.nonNull.field('timingsMs', { type: 'FramesTimings' });
  },
});

const inputs = [
  inputObjectType({
    name: 'EnrollVideoInput',
    definition(t) {
      t.nonNull.id('personId');
      t.nonNull.field('video', { type: 'VideoInput' });
      t.float('fps', { description: 'Frames sampled per second of video; default 2.' });
      t.int('maxFrames', { description: 'Most faces kept (the best-quality, non-duplicate ones); default 20.' });
    },
  }),
  inputObjectType({
    name: 'IdentifyFramesInput',
    definition(t) {
      t.nonNull.list.nonNull.field('frames', { type: 'ImageInput', description: 'Consecutive frames of one scene, oldest first; at most VISAGE_MAX_FRAMES.' });
      t.string('source', { description: 'Camera or kiosk id, stored with the events.' });
      t.int('k1');
      t.int('k2');
      t.float('threshold');
      t.list.nonNull.id('galleryIds', { description: SEARCHED_GALLERIES });
    },
  }),
  inputObjectType({
    name: 'IdentifyVideoInput',
    definition(t) {
      t.nonNull.field('video', { type: 'VideoInput' });
      t.float('fps', { description: 'Frames sampled per second; default 2. At most VISAGE_MAX_FRAMES frames are read.' });
      t.string('source');
      t.int('k1');
      t.int('k2');
      t.float('threshold');
      t.list.nonNull.id('galleryIds', { description: SEARCHED_GALLERIES });
    },
  }),
];

export const VideoMutations = extendType({
  type: 'Mutation',
  definition(t) {
    t.nonNull.field('enrollVideo', {
      type: 'EnrollmentSession',
      description: 'Enrolls a person from a video: the session (source VIDEO) is COMPLETED, or FAILED when no frame had one good face; `stats` has framesRead, nearDuplicates, notSelected and rejections by reason.',
      args: { input: nonNull(arg({ type: 'EnrollVideoInput' })) },
      resolve: (_r, { input }, ctx) => ctx.services.videoEnrollment.enrollVideo(ctx.viewer, input, ctx.signal),
    });
    t.nonNull.field('identifyFrames', {
      type: 'IdentifyFramesPayload',
      args: { input: nonNull(arg({ type: 'IdentifyFramesInput' })) },
      resolve: (_r, { input }, ctx) => ctx.services.frames.identifyFrames(ctx.viewer, input),
    });
    t.nonNull.field('identifyVideo', {
      type: 'IdentifyFramesPayload',
      args: { input: nonNull(arg({ type: 'IdentifyVideoInput' })) },
      resolve: (_r, { input }, ctx) => ctx.services.frames.identifyVideo(ctx.viewer, input, ctx.signal),
    });
  },
});

export const videoTypes = [VideoInput, TrackFrame, FaceTrack, FramesTimings, IdentifyFramesPayload, ...inputs, VideoMutations];
