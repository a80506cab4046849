import type * as Db from './generated/enums.js';
import type { EnrollmentStatus } from '../domain/enrollment-status.js';
import type { EnrollmentSource } from '../domain/enrollment-source.js';
import type { RecognitionDecision } from '../domain/recognition-decision.js';

/** `true` when two string unions hold the same members, `never` otherwise. */
type Same<A extends string, B extends string> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

// The repositories hand Prisma's enum values out as the domain's types, which is sound only while
// prisma/schema.prisma and the domain's lists hold the same members: a member added on one side
// only fails typecheck here. (API key roles are mapped explicitly instead: see role-mapping.ts.)
export const ENUM_PARITY: {
  enrollmentStatus: Same<Db.EnrollmentStatus, EnrollmentStatus>;
  enrollmentSource: Same<Db.EnrollmentSource, EnrollmentSource>;
  recognitionDecision: Same<Db.RecognitionDecision, RecognitionDecision>;
} = { enrollmentStatus: true, enrollmentSource: true, recognitionDecision: true };
