export type { Neighbour, FaceNeighbour, FaceHit, SearchFaces, SearchScope } from './search-contract.js';
