/**
 * What a search returns and what the vote consumes. It lives below both the gallery (which
 * produces hits) and the vote (which decides over them), so neither imports the other.
 */

/** One search result. `label` is a personId on the server and a class name in the evaluation tool. */
export interface Neighbour {
  label: string;
  /** L2 distance between unit vectors (0..2). */
  distance: number;
}

/** A neighbour that is a stored face. */
export interface FaceNeighbour extends Neighbour {
  faceId: string;
}

/** A gallery search result; `label` is the personId, so hits go straight into the vote. */
export interface FaceHit extends FaceNeighbour {
  personId: string;
}

/** What one search looks through: some galleries of one tenant, with one model's vectors. */
export interface SearchScope {
  tenantId: string;
  model: string;
  /** Each face is returned once, however many of these galleries hold it. */
  galleryIds: readonly string[];
}

/** The k nearest faces in the scope, nearest first. */
export type SearchFaces = (scope: SearchScope, vector: Float32Array, k: number) => Promise<FaceNeighbour[]>;
