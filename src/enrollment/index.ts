export { createEnrollmentService, DEFAULT_ENROLLMENT_POLICY, type EnrollmentPolicy } from './enrollment-service.js';
export { createVideoEnrollmentService } from './video-enrollment.js';
export { REJECTION_REASONS } from './rejection-reason.js';
