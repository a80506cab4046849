import assert from 'node:assert/strict';
import type { GraphQLResult } from './test-server.js';
import { unique } from './factories.js';
import { imageInput } from './datasets.js';

/** Anything that answers GraphQL: an in-process test server, or a child process through gqlAt. */
export interface GqlTarget {
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResult>;
}

export const IDENTIFY_IN = `mutation($input: IdentifyInput!) { identify(input: $input) {
  faces { decision distance person { id } candidates { faceId person { id } } } eventIds } }`;

export async function createGallery(target: GqlTarget, token: string, name = unique('gallery')): Promise<{ id: string; name: string }> {
  const res = await target.gql('mutation($i: CreateGalleryInput!) { createGallery(input: $i) { id name } }', { i: { name } }, token);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!['createGallery'];
}

/** A new person (in `galleryIds`, or the default set when absent) with these photos enrolled. */
export async function enrollPerson(target: GqlTarget, token: string, files: readonly string[], galleryIds?: string[]): Promise<{ id: string }> {
  const created = await target.gql(
    'mutation($i: CreatePersonInput!) { createPerson(input: $i) { id } }',
    { i: { displayName: unique('person'), ...(galleryIds ? { galleryIds } : {}) } },
    token,
  );
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  const id = created.data!['createPerson'].id as string;
  const enrolled = await target.gql(
    'mutation($i: EnrollFacesInput!) { enrollFaces(input: $i) { session { status } } }',
    { i: { personId: id, images: files.map(imageInput), largestFaceOnly: true } },
    token,
  );
  assert.equal(enrolled.data?.['enrollFaces'].session.status, 'COMPLETED', JSON.stringify(enrolled));
  return { id };
}

export function identifyIn(target: GqlTarget, token: string, file: string, galleryIds?: string[]): Promise<GraphQLResult> {
  return target.gql(IDENTIFY_IN, { input: { image: imageInput(file), source: 'gallery-test', ...(galleryIds ? { galleryIds } : {}) } }, token);
}

/** A CLIENT key scoped to these galleries. */
export async function keyScopedTo(target: GqlTarget, token: string, galleryIds: string[]): Promise<{ id: string; secret: string }> {
  const res = await target.gql(
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id galleryIds } secret } }',
    { i: { name: unique('door'), role: 'CLIENT', galleryIds } },
    token,
  );
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  assert.deepEqual(res.data!['createApiKey'].apiKey.galleryIds, galleryIds);
  return { id: res.data!['createApiKey'].apiKey.id, secret: res.data!['createApiKey'].secret };
}
