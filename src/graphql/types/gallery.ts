import { arg, extendType, inputObjectType, intArg, nonNull, objectType, stringArg } from 'nexus';
import { connectionTypes, DEFAULT_PAGE_SIZE, toConnection } from './relay.js';

/** The `galleryIds` argument identify, identifyFrames, identifyVideo, verify and searchFaces share. */
export const SEARCHED_GALLERIES =
  'Galleries to search (at most 20); a person in several counts once. Default: a scoped key’s own galleries, otherwise the tenant’s defaultGalleryIds. A scoped key naming another gets FORBIDDEN.';

export const Gallery = objectType({
  name: 'Gallery',
  description: 'A named set of people within the tenant (a site, a watch list, visitors). A person belongs to any number.',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.string('name');
    t.string('description');
    t.nonNull.int('personCount', { resolve: async (g, _a, ctx) => (await ctx.services.galleries.counts(ctx.viewer, g.id, ctx.loaders)).personCount });
    t.nonNull.int('faceCount', {
      description: 'Searchable faces of its members.',
      resolve: async (g, _a, ctx) => (await ctx.services.galleries.counts(ctx.viewer, g.id, ctx.loaders)).faceCount,
    });
    t.nonNull.field('createdAt', { type: 'DateTime' });
  },
});

export const PersonGalleries = extendType({
  type: 'Person',
  definition(t) {
    t.nonNull.list.nonNull.field('galleries', { type: 'Gallery', resolve: (p, _a, ctx) => ctx.services.galleries.ofPerson(ctx.viewer, p.id, ctx.loaders) });
  },
});

const inputs = [
  inputObjectType({
    name: 'CreateGalleryInput',
    definition(t) {
      t.nonNull.string('name', { description: '1 to 100 characters, unique within the tenant.' });
      t.string('description');
    },
  }),
  inputObjectType({
    name: 'UpdateGalleryInput',
    definition(t) {
      t.nonNull.id('id');
      t.string('name');
      t.string('description', { description: 'null clears it.' });
    },
  }),
  inputObjectType({ name: 'DeleteGalleryInput', definition(t) { t.nonNull.id('id'); } }),
  inputObjectType({
    name: 'GalleryMembersInput',
    definition(t) {
      t.nonNull.id('galleryId');
      t.nonNull.list.nonNull.id('personIds', { description: '1 to 1000 people of the tenant.' });
    },
  }),
];

export const DeleteGalleryPayload = objectType({
  name: 'DeleteGalleryPayload',
  definition(t) {
    t.nonNull.id('id', { description: 'The deleted gallery; its people stay, in their other galleries.' });
  },
});

export const GalleryQueries = extendType({
  type: 'Query',
  definition(t) {
    t.nonNull.field('galleries', {
      type: 'GalleryConnection',
      description: 'Oldest first. A scoped key sees only its own galleries.',
      args: { first: intArg({ default: DEFAULT_PAGE_SIZE }), after: stringArg() },
      resolve: async (_root, args, ctx) => toConnection(await ctx.services.galleries.list(ctx.viewer, { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after })),
    });
  },
});

export const GalleryMutations = extendType({
  type: 'Mutation',
  definition(t) {
    t.nonNull.field('createGallery', { type: 'Gallery', args: { input: nonNull(arg({ type: 'CreateGalleryInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.galleries.create(ctx.viewer, input) });
    t.nonNull.field('updateGallery', { type: 'Gallery', args: { input: nonNull(arg({ type: 'UpdateGalleryInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.galleries.update(ctx.viewer, input) });
    t.nonNull.field('deleteGallery', {
      type: 'DeleteGalleryPayload',
      description: 'CONFLICT while the gallery is in the default gallery set or an active key is scoped to it.',
      args: { input: nonNull(arg({ type: 'DeleteGalleryInput' })) },
      resolve: (_r, { input }, ctx) => ctx.services.galleries.delete(ctx.viewer, input.id),
    });
    t.nonNull.field('addToGallery', {
      type: 'Gallery',
      description: 'Their enrolled faces become searchable in the gallery on every replica within a second; nothing is re-embedded.',
      args: { input: nonNull(arg({ type: 'GalleryMembersInput' })) },
      resolve: (_r, { input }, ctx) => ctx.services.galleries.addPeople(ctx.viewer, input),
    });
    t.nonNull.field('removeFromGallery', {
      type: 'Gallery',
      args: { input: nonNull(arg({ type: 'GalleryMembersInput' })) },
      resolve: (_r, { input }, ctx) => ctx.services.galleries.removePeople(ctx.viewer, input),
    });
  },
});

export const galleryTypes = [Gallery, PersonGalleries, ...inputs, DeleteGalleryPayload, GalleryQueries, GalleryMutations, ...connectionTypes('Gallery')];
