import { arg, extendType, idArg, inputObjectType, intArg, nonNull, objectType, stringArg } from 'nexus';
import { connectionTypes, DEFAULT_PAGE_SIZE, toConnection } from './relay.js';

export const Person = objectType({
  name: 'Person',
  definition(t) {
    t.nonNull.id('id');
    t.nonNull.string('displayName');
    t.string('externalId', { description: 'Your own identifier; unique within the tenant.' });
    t.nonNull.field('metadata', { type: 'JSON' });
    t.nonNull.field('createdAt', { type: 'DateTime' });
    t.nonNull.field('updatedAt', { type: 'DateTime' });
  },
});

export const CreatePersonInput = inputObjectType({
  name: 'CreatePersonInput',
  definition(t) {
    t.nonNull.string('displayName');
    t.string('externalId');
    t.field('metadata', { type: 'JSON', description: 'A JSON object, at most 16 KB.' });
    t.list.nonNull.id('galleryIds', { description: 'Galleries to join; default: the tenant’s defaultGalleryIds; [] joins none (not identifiable until added to one).' });
  },
});

export const UpdatePersonInput = inputObjectType({
  name: 'UpdatePersonInput',
  definition(t) {
    t.nonNull.id('id');
    t.string('displayName');
    t.string('externalId', { description: 'null clears it.' });
    t.field('metadata', { type: 'JSON' });
  },
});

export const DeletePersonInput = inputObjectType({
  name: 'DeletePersonInput',
  definition(t) {
    t.nonNull.id('id');
  },
});

export const DeletePersonPayload = objectType({
  name: 'DeletePersonPayload',
  definition(t) {
    t.nonNull.id('id', { description: 'The deleted person; their faces are gone from the database and every index.' });
  },
});

export const PersonQueries = extendType({
  type: 'Query',
  definition(t) {
    t.nonNull.field('person', {
      type: 'Person',
      description: 'NOT_FOUND for an unknown id, or one of another tenant.',
      args: { id: nonNull(idArg()) },
      resolve: (_root, { id }, ctx) => ctx.services.people.require(ctx.viewer, id),
    });
    t.nonNull.field('people', {
      type: 'PersonConnection',
      args: { first: intArg({ default: DEFAULT_PAGE_SIZE }), after: stringArg(), search: stringArg({ description: 'Part of the display name, or an exact externalId.' }) },
      resolve: async (_root, args, ctx) =>
        toConnection(await ctx.services.people.list(ctx.viewer, { first: args.first ?? DEFAULT_PAGE_SIZE, after: args.after, search: args.search })),
    });
  },
});

export const PersonMutations = extendType({
  type: 'Mutation',
  definition(t) {
    t.nonNull.field('createPerson', {
      type: 'Person',
      args: { input: nonNull(arg({ type: 'CreatePersonInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.people.create(ctx.viewer, input),
    });
    t.nonNull.field('updatePerson', {
      type: 'Person',
      args: { input: nonNull(arg({ type: 'UpdatePersonInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.people.update(ctx.viewer, input),
    });
    t.nonNull.field('deletePerson', {
      type: 'DeletePersonPayload',
      args: { input: nonNull(arg({ type: 'DeletePersonInput' })) },
      resolve: (_root, { input }, ctx) => ctx.services.people.delete(ctx.viewer, input.id),
    });
  },
});

export const personTypes = [Person, CreatePersonInput, UpdatePersonInput, DeletePersonInput, DeletePersonPayload, PersonQueries, PersonMutations, ...connectionTypes('Person')];
