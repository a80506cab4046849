export { createEnrollmentService, DEFAULT_ENROLLMENT_POLICY, type EnrollmentService, type EnrollmentPolicy, type EnrollmentImageResult } from './enrollment-service.js';
export { REJECTION_REASONS, type RejectionReason } from './rejection-reason.js';
export { createVideoEnrollmentService, DEFAULT_VIDEO_ENROLLMENT_POLICY, type VideoEnrollmentService, type VideoEnrollmentPolicy } from './video-enrollment.js';
