export { classifyFace, type VoteParams, type Classification } from './vote.js';
export { createIdentifyService, resolveParams, type IdentifyService, type IdentifyDeps, type IdentifiedFace, type FaceDecision } from './identify-service.js';
export { createFrameIdentifyService, type FrameIdentifyService } from './identify-frames.js';
