export { createEnrollmentService, DEFAULT_ENROLLMENT_POLICY, type EnrollmentService, type EnrollmentPolicy, type EnrollmentImageResult, type RejectionReason } from './enrollment-service.js';
export { createVideoEnrollmentService, DEFAULT_VIDEO_ENROLLMENT_POLICY, type VideoEnrollmentService, type VideoEnrollmentPolicy } from './video-enrollment.js';
