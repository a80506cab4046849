export type { Neighbour, FaceNeighbour, FaceHit, SearchFaces } from './search-contract.js';
