/** Where an enrollment session's faces came from, listed once: the GraphQL enum and db/ read this list. */
export const ENROLLMENT_SOURCES = ['IMAGES', 'VIDEO', 'IMPORT'] as const;

export type EnrollmentSource = (typeof ENROLLMENT_SOURCES)[number];
