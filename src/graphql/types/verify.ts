import { arg, extendType, inputObjectType, nonNull, objectType } from 'nexus';
import { SEARCHED_GALLERIES } from './gallery.js';

export const VerifyInput = inputObjectType({
  name: 'VerifyInput',
  definition(t) {
    t.nonNull.field('image', { type: 'ImageInput' });
    t.nonNull.id('personId', { description: 'The person the face claims to be.' });
    t.string('source', { description: 'Camera or kiosk id, stored with the event.' });
    t.list.nonNull.id('galleryIds', { description: `${SEARCHED_GALLERIES} A person in none of them is UNKNOWN.` });
  },
});

export const SearchFacesInput = inputObjectType({
  name: 'SearchFacesInput',
  description: 'Exactly one of image (its largest face is searched) and faceId (an enrolled face).',
  definition(t) {
    t.field('image', { type: 'ImageInput' });
    t.id('faceId');
    t.int('first', { description: 'At most 100; default 10.' });
      t.list.nonNull.id('galleryIds', { description: SEARCHED_GALLERIES });
  },
});

export const VerifiedFace = objectType({
  name: 'VerifiedFace',
  definition(t) {
    t.nonNull.field('box', { type: 'Box' });
    t.nonNull.field('quality', { type: 'FaceQuality' });
  },
});

export const VerifyPayload = objectType({
  name: 'VerifyPayload',
  definition(t) {
    t.nonNull.field('decision', { type: 'RecognitionDecision', description: 'MATCH when the largest face is within the tenant’s threshold of one of this person’s faces; UNKNOWN otherwise; NO_FACE without a face.' });
    t.float('distance', { description: 'To the person’s nearest enrolled face; null without a face or without enrolled faces.' });
    t.nonNull.float('threshold');
    t.nonNull.field('person', { type: 'Person' });
    t.field('face', { type: 'VerifiedFace' });
    t.nonNull.id('eventId');
  },
});

export const VerifyMutations = extendType({
  type: 'Mutation',
  definition(t) {
    t.nonNull.field('verify', { type: 'VerifyPayload', description: '1:1: is the largest face in the image this person? Writes a recognition event.', args: { input: nonNull(arg({ type: 'VerifyInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.verify.verify(ctx.viewer, input) });
  },
});

export const SearchFacesQueries = extendType({
  type: 'Query',
  definition(t) {
    t.nonNull.list.nonNull.field('searchFaces', { type: 'Candidate', description: 'The nearest enrolled faces, nearest first (ADMIN, OPERATOR).', args: { input: nonNull(arg({ type: 'SearchFacesInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.verify.searchFaces(ctx.viewer, input) });
  },
});

export const verifyTypes = [VerifyInput, SearchFacesInput, VerifiedFace, VerifyPayload, VerifyMutations, SearchFacesQueries];
