/** Types shared by the report statements (report-repository.ts, report-buckets.ts, presence-rollup.ts, stats-rollup.ts). */
import type { RecognitionDecision } from './generated/enums.js';

/** PostgreSQL `date_trunc` fields a report may bucket by. */
export type ReportBucket = 'hour' | 'day' | 'week' | 'month';

export interface PresenceRow {
  date: string;
  personId: string;
  firstSeen: Date;
  lastSeen: Date;
  count: number;
  sources: string[];
}

export type StatsDimension = 'decision' | 'source' | 'personId' | 'galleryId';

export interface ReportRange {
  from: Date;
  to: Date;
  /** IANA zone; validated by the caller (src/reports/report-input.ts). */
  timeZone: string;
}

export interface StatsQuery extends ReportRange {
  bucket: ReportBucket;
  groupBy: readonly StatsDimension[];
  filter: { personId?: string | null; decision?: RecognitionDecision | null; source?: string | null };
  /** Rows beyond this are not read; the caller turns one more into an error. */
  limit: number;
}

export interface StatsRow {
  bucketStart: Date;
  decision: RecognitionDecision | null;
  source: string | null;
  personId: string | null;
  galleryId: string | null;
  count: number;
  distinctPeople: number;
  medianDistance: number | null;
  p95LatencyMs: number | null;
}
