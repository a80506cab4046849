export { classifyFace, type Neighbour, type VoteParams, type Classification } from './classify.js';
export { createEnrollmentService, DEFAULT_ENROLLMENT_POLICY, type EnrollmentService, type EnrollmentPolicy, type EnrollmentImageResult, type Candidate as EnrollmentCandidate, type RejectionReason } from './enrollment-service.js';
export { createIdentifyService, resolveParams, type IdentifyService, type IdentifyDeps, type IdentifiedFace, type SearchFaces, type FaceDecision } from './identify-service.js';
export { createEventsService, type EventsService } from './events-service.js';
export { createFaceAnalyzer, type FaceAnalyzer } from './face-analyzer.js';
export { imageBytes, type ImageInput } from './image-input.js';
export { createFrameAnalyzer, type FrameAnalyzer } from './frame-analyzer.js';
export { createVideoEnrollmentService, DEFAULT_VIDEO_ENROLLMENT_POLICY, type VideoEnrollmentService, type VideoEnrollmentPolicy } from './video-enrollment.js';
export { createFrameIdentifyService, type FrameIdentifyService } from './identify-frames.js';
