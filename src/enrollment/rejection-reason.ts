/** Why an enrollment image or video frame was refused; the GraphQL enum and the import CLI read this list. */
export const REJECTION_REASONS = ['NO_FACE', 'MULTIPLE_FACES', 'LOW_QUALITY', 'INVALID_IMAGE', 'IMAGE_TOO_LARGE', 'DUPLICATE'] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];
