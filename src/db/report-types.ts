/** Types shared by the report statements (report-repository.ts, report-buckets.ts, presence-rollup.ts). */

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
