/** What a recognition event decided, listed once: the GraphQL enum, db/ and the metrics read this list. */
export const RECOGNITION_DECISIONS = ['MATCH', 'UNKNOWN', 'NO_FACE'] as const;

export type RecognitionDecision = (typeof RECOGNITION_DECISIONS)[number];
