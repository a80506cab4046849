export { createIdentifyService, type IdentifyDeps, type IdentifiedFace } from './identify-service.js';
export { createFrameIdentifyService } from './identify-frames.js';
