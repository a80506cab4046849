import { arg, enumType, extendType, idArg, inputObjectType, intArg, nonNull, objectType, stringArg } from 'nexus';
import { SEARCHED_GALLERIES } from './gallery.js';
import { connectionTypes, DEFAULT_PAGE_SIZE, toConnection } from './relay.js';
import { REJECTION_REASONS } from '../../enrollment/index.js';
import { PIPELINE_STAGES } from '../../observability/metrics.js';
import { ENROLLMENT_STATUSES } from '../../domain/enrollment-status.js';
import { ENROLLMENT_SOURCES } from '../../domain/enrollment-source.js';
import { RECOGNITION_DECISIONS } from '../../domain/recognition-decision.js';

export const EnrollmentStatus = enumType({ name: 'EnrollmentStatus', members: [...ENROLLMENT_STATUSES] });
export const EnrollmentSource = enumType({ name: 'EnrollmentSource', members: [...ENROLLMENT_SOURCES] });
export const Decision = enumType({ name: 'RecognitionDecision', members: [...RECOGNITION_DECISIONS] });
export const RejectionReason = enumType({ name: 'RejectionReason', members: [...REJECTION_REASONS] });

export const ImageInput = inputObjectType({
  name: 'ImageInput',
  definition(t) {
    t.string('data', { description: 'The image file (JPEG, PNG or WebP), base64-encoded. Give this or `file`.' });
    t.field('file', { type: 'Upload', description: 'The image file as a part of a multipart/form-data request: no base64, a third fewer bytes, less server work. Give this or `data`.' });
    t.string('filename', { description: 'Echoed in results and error messages.' });
  },
});

export const Box = objectType({
  name: 'Box',
  description: 'A face box in the original image’s pixels.',
  definition(t) {
    t.nonNull.float('x');
    t.nonNull.float('y');
    t.nonNull.float('width');
    t.nonNull.float('height');
  },
});

export const FaceQuality = objectType({
  name: 'FaceQuality',
  definition(t) {
    t.nonNull.float('detectionScore');
    t.nonNull.float('faceSizePx', { description: 'Shorter side of the face box.' });
    t.nonNull.float('sharpness', { description: 'Variance of the Laplacian of the aligned face; low means blurred.' });
  },
});

export const Face = objectType({
  name: 'Face',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.id('personId');
    t.nonNull.id('sessionId');
    t.nonNull.string('model', { description: 'Embedding model that produced the stored vector.' });
    t.nonNull.boolean('searchable', { description: 'False until its enrollment session completes.' });
    t.nonNull.field('box', { type: 'Box' });
    t.nonNull.float('detectionScore');
    t.nonNull.field('createdAt', { type: 'DateTime' });
  },
});

export const EnrollmentSession = objectType({
  name: 'EnrollmentSession',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.id('personId');
    t.nonNull.field('status', { type: 'EnrollmentStatus' });
    t.nonNull.field('source', { type: 'EnrollmentSource' });
    t.nonNull.int('imagesAccepted');
    t.nonNull.int('imagesRejected');
    t.nonNull.field('stats', { type: 'JSON', description: 'Rejections by reason, and for video the frames read.' });
    t.nonNull.field('createdAt', { type: 'DateTime' });
    t.field('completedAt', { type: 'DateTime' });
  },
});

export const EnrollmentImageResult = objectType({
  name: 'EnrollmentImageResult',
  definition(t) {
    t.nonNull.int('index', { description: 'Position of the image in the request.' });
    t.string('filename');
    t.nonNull.boolean('accepted');
    t.id('faceId');
    t.field('quality', { type: 'FaceQuality' });
    t.field('reason', { type: 'RejectionReason' });
    t.string('message', { description: 'Why it was rejected, for a person to read.' });
  },
});

export const EnrollmentPayload = objectType({
  name: 'EnrollmentImagesPayload',
  definition(t) {
    t.nonNull.field('session', { type: 'EnrollmentSession' });
    t.nonNull.list.nonNull.field('results', { type: 'EnrollmentImageResult' });
  },
});

export const Candidate = objectType({
  name: 'Candidate',
  definition(t) {
    t.nonNull.id('faceId');
    t.field('person', { type: 'Person' });
    t.nonNull.float('distance');
  },
});

export const IdentifiedFace = objectType({
  name: 'IdentifiedFace',
  definition(t) {
    t.nonNull.field('box', { type: 'Box' });
    t.nonNull.float('detectionScore');
    t.nonNull.field('quality', { type: 'FaceQuality' });
    t.nonNull.field('decision', { type: 'RecognitionDecision' });
    t.field('person', { type: 'Person', description: 'The match; null when UNKNOWN.' });
    t.float('distance', { description: 'Nearest distance among the winner’s votes (MATCH) or to any face (UNKNOWN).' });
    t.nonNull.int('votes');
    t.nonNull.list.nonNull.field('candidates', { type: 'Candidate', description: 'The k2 nearest enrolled faces.' });
  },
});

export const Timings = objectType({
  name: 'IdentifyTimings',
  description: 'Milliseconds spent in each stage.',
  definition(t) {
    for (const stage of PIPELINE_STAGES) t.nonNull.float(stage);
  },
});

export const IdentifyPayload = objectType({
  name: 'IdentifyPayload',
  definition(t) {
    t.nonNull.list.nonNull.field('faces', { type: 'IdentifiedFace' });
    t.nonNull.list.nonNull.id('eventIds');
    t.nonNull.field('timingsMs', { type: 'IdentifyTimings' });
  },
});

export const RecognitionEvent = objectType({
  name: 'RecognitionEvent',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.field('decision', { type: 'RecognitionDecision' });
    t.field('person', {
      type: 'Person',
      resolve: (e: { personId: string | null }, _args, ctx) => (e.personId ? ctx.services.people.get(ctx.viewer, e.personId, ctx.loaders) : null),
    });
    t.id('personId');
    t.float('distance');
    t.int('votes');
    t.nonNull.int('k1');
    t.nonNull.int('k2');
    t.nonNull.float('threshold');
    t.nonNull.string('model');
    t.string('source');
    t.nonNull.int('frames', { description: 'Frames that supported the decision (1 for a single image).' });
    t.nonNull.float('latencyMs');
    t.field('box', { type: 'Box' });
    t.nonNull.list.nonNull.id('galleryIds', { description: 'The galleries searched (empty for events from before galleries).' });
    t.nonNull.field('createdAt', { type: 'DateTime' });
  },
});

const inputs = [
  inputObjectType({ name: 'StartEnrollmentInput', definition(t) { t.nonNull.id('personId'); t.field('source', { type: 'EnrollmentSource' }); } }),
  inputObjectType({
    name: 'AddEnrollmentImagesInput',
    definition(t) {
      t.nonNull.id('sessionId');
      t.nonNull.list.nonNull.field('images', { type: 'ImageInput' });
      t.boolean('largestFaceOnly', { description: 'Enroll the largest face of an image with several, instead of rejecting it.' });
    },
  }),
  inputObjectType({ name: 'EnrollmentSessionInput', definition(t) { t.nonNull.id('sessionId'); } }),
  inputObjectType({
    name: 'EnrollFacesInput',
    definition(t) {
      t.nonNull.id('personId');
      t.nonNull.list.nonNull.field('images', { type: 'ImageInput' });
      t.boolean('largestFaceOnly');
    },
  }),
  inputObjectType({ name: 'DeleteFaceInput', definition(t) { t.nonNull.id('id'); } }),
  inputObjectType({
    name: 'IdentifyInput',
    definition(t) {
      t.nonNull.field('image', { type: 'ImageInput' });
      t.string('source', { description: 'Camera or kiosk id, stored with the events.' });
      t.int('k1');
      t.int('k2');
      t.float('threshold');
      t.int('maxFaces');
      t.list.nonNull.id('galleryIds', { description: SEARCHED_GALLERIES });
    },
  }),
  inputObjectType({
    name: 'RecognitionEventFilter',
    definition(t) {
      t.id('personId');
      t.field('decision', { type: 'RecognitionDecision' });
      t.string('source');
      t.field('from', { type: 'DateTime', description: 'Inclusive.' });
      t.field('to', { type: 'DateTime', description: 'Exclusive.' });
    },
  }),
];

export const RecognitionQueries = extendType({
  type: 'Query',
  definition(t) {
    t.nonNull.field('enrollmentSession', { type: 'EnrollmentSession', args: { id: nonNull(idArg()) }, resolve: (_r, { id }, ctx) => ctx.services.enrollment.session(ctx.viewer, id) });
    t.nonNull.field('recognitionEvents', {
      type: 'RecognitionEventConnection',
      description: 'Newest first.',
      args: { first: intArg({ default: DEFAULT_PAGE_SIZE }), after: stringArg(), filter: arg({ type: 'RecognitionEventFilter' }) },
      resolve: async (_r, args, ctx) => toConnection(await ctx.services.events.list(ctx.viewer, { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after, filter: args.filter })),
    });
  },
});

export const PersonFaces = extendType({
  type: 'Person',
  definition(t) {
    t.nonNull.list.nonNull.field('faces', { type: 'Face', resolve: (p: { id: string }, _a, ctx) => ctx.services.enrollment.faces(ctx.viewer, p.id, ctx.loaders) });
    t.nonNull.list.nonNull.field('enrollmentSessions', {
      type: 'EnrollmentSession',
      description: 'Newest first, at most 100.',
      resolve: (p: { id: string }, _a, ctx) => ctx.services.enrollment.sessionsOfPerson(ctx.viewer, p.id, ctx.loaders),
    });
  },
});

export const RecognitionMutations = extendType({
  type: 'Mutation',
  definition(t) {
    t.nonNull.field('startEnrollment', { type: 'EnrollmentSession', args: { input: nonNull(arg({ type: 'StartEnrollmentInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.enrollment.start(ctx.viewer, input) });
    t.nonNull.field('addEnrollmentImages', { type: 'EnrollmentImagesPayload', args: { input: nonNull(arg({ type: 'AddEnrollmentImagesInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.enrollment.addImages(ctx.viewer, input) });
    t.nonNull.field('completeEnrollment', { type: 'EnrollmentSession', args: { input: nonNull(arg({ type: 'EnrollmentSessionInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.enrollment.complete(ctx.viewer, input.sessionId) });
    t.nonNull.field('cancelEnrollment', { type: 'EnrollmentSession', args: { input: nonNull(arg({ type: 'EnrollmentSessionInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.enrollment.cancel(ctx.viewer, input.sessionId) });
    t.nonNull.field('enrollFaces', { type: 'EnrollmentImagesPayload', args: { input: nonNull(arg({ type: 'EnrollFacesInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.enrollment.enrollFaces(ctx.viewer, input) });
    t.nonNull.field('deleteFace', { type: 'Face', args: { input: nonNull(arg({ type: 'DeleteFaceInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.enrollment.deleteFace(ctx.viewer, input.id) });
    t.nonNull.field('identify', { type: 'IdentifyPayload', args: { input: nonNull(arg({ type: 'IdentifyInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.identify.identify(ctx.viewer, input) });
  },
});

export const recognitionTypes = [
  EnrollmentStatus, EnrollmentSource, Decision, RejectionReason, ImageInput, Box, FaceQuality, Face, EnrollmentSession,
  EnrollmentImageResult, EnrollmentPayload, Candidate, IdentifiedFace, Timings, IdentifyPayload, RecognitionEvent,
  ...inputs, RecognitionQueries, PersonFaces, RecognitionMutations, ...connectionTypes('RecognitionEvent'),
];

