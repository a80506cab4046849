/** An enrollment session's states, listed once: the GraphQL enum and db/ read this list. */
export const ENROLLMENT_STATUSES = ['OPEN', 'COMPLETED', 'CANCELLED', 'FAILED'] as const;

export type EnrollmentStatus = (typeof ENROLLMENT_STATUSES)[number];
