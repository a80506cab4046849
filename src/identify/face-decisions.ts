import type { PersonRecord, Repositories } from '../db/index.js';
import { AppError } from '../errors.js';
import type { FaceNeighbour, SearchFaces, SearchScope } from '../search/index.js';
import type { AnalyzedFace } from '../vision/index.js';
import { classifyFace, type Classification } from './vote.js';
import type { VoteParams } from './vote-params.js';

/** One face decided: the vote and the neighbours it was taken over. */
export interface FaceDecision {
  face: AnalyzedFace;
  classification: Classification;
  neighbours: FaceNeighbour[];
}

/** Search and vote for every face of an analysed image: the step identify and identify over frames share. */
export async function decideFaces(search: SearchFaces, scope: SearchScope, faces: readonly AnalyzedFace[], params: VoteParams): Promise<FaceDecision[]> {
  return Promise.all(
    faces.map(async (face) => {
      const neighbours = await search(scope, face.embedding, params.k2);
      return { face, neighbours, classification: classifyFace(neighbours, params) };
    }),
  );
}

/** The people behind the labels the vote returned, loaded in one query. */
export async function peopleByIds(repos: Repositories, tenantId: string, ids: Iterable<string>): Promise<Map<string, PersonRecord>> {
  const unique = [...new Set(ids)];
  const found = unique.length === 0 ? [] : await repos.people.byIds(tenantId, unique);
  return new Map(found.map((p) => [p.id, p]));
}

export function checkSource(source: string | null | undefined): string | null {
  if (source === undefined || source === null) return null;
  if (source.length > 200) throw new AppError('BAD_USER_INPUT', 'source must be at most 200 characters.', { field: 'source' });
  return source;
}
