import { requireTenant, type Viewer } from '../auth/index.js';
import type { EventFilter, RecognitionDecision, Repositories } from '../db/index.js';
import { EXPORTED_EVENT_COLUMNS } from '../db/event-export-repository.js';
import { badInput } from '../errors.js';
import { checkPersonId } from './report-input.js';
import { csvChunks, csvFromLines } from './csv-lines.js';
import type { Bucket, Dimension, ReportService } from './report-service.js';

/** A CSV to stream, header first, one chunk per batch of rows: never all in memory. */
export interface CsvExport {
  filename: string;
  chunks: AsyncGenerator<string>;
}

const DECISIONS: readonly RecognitionDecision[] = ['MATCH', 'UNKNOWN', 'NO_FACE'];
const BUCKETS: readonly Bucket[] = ['HOUR', 'DAY', 'WEEK', 'MONTH'];
const DIMENSIONS: readonly Dimension[] = ['DECISION', 'SOURCE', 'PERSON', 'GALLERY'];
const STATS_COLUMNS = ['bucketStart', 'decision', 'source', 'personId', 'galleryId', 'count', 'distinctPeople', 'medianDistance', 'p95LatencyMs'] as const;

function date(params: URLSearchParams, name: string): Date | null {
  const value = params.get(name);
  if (value === null) return null;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw badInput(name, `"${name}" must be an ISO-8601 timestamp, e.g. 2026-12-01T00:00:00Z.`);
  return parsed;
}

function oneOf<T extends string>(params: URLSearchParams, name: string, allowed: readonly T[]): T | null {
  const value = params.get(name);
  if (value === null) return null;
  if (!(allowed as readonly string[]).includes(value)) throw badInput(name, `"${name}" must be one of ${allowed.join(', ')}.`);
  return value as T;
}

/** The filter of `recognitionEvents`, read from query parameters of the same names. */
function eventFilter(params: URLSearchParams): EventFilter {
  const filter = { personId: checkPersonId(params.get('personId')), decision: oneOf(params, 'decision', DECISIONS), source: params.get('source'), from: date(params, 'from'), to: date(params, 'to') };
  if (filter.from && filter.to && filter.from >= filter.to) throw badInput('from', '"from" must be before "to".');
  return filter;
}

async function* once<T>(rows: T[]): AsyncGenerator<T[]> {
  yield rows;
}

/** GET /export/*.csv: the same filters, roles and tenant scoping as the GraphQL reports. */
export function createExportService({ repos, reports }: { repos: Repositories; reports: ReportService }) {
  return {
    recognitionEvents(viewer: Viewer, params: URLSearchParams): CsvExport {
      const v = requireTenant(viewer, 'readEvents');
      const filter = eventFilter(params);
      return { filename: 'recognition-events.csv', chunks: csvFromLines(EXPORTED_EVENT_COLUMNS, repos.eventExport.csvLines(v.tenantId, filter)) };
    },

    async recognitionStats(viewer: Viewer, params: URLSearchParams): Promise<CsvExport> {
      requireTenant(viewer, 'readEvents');
      const from = date(params, 'from');
      const to = date(params, 'to');
      if (!from) throw badInput('from', '"from" is required.');
      if (!to) throw badInput('to', '"to" is required.');
      const groupBy = (params.get('groupBy') ?? '').split(',').filter((d) => d !== '');
      const unknown = groupBy.find((d) => !(DIMENSIONS as readonly string[]).includes(d));
      if (unknown) throw badInput('groupBy', `"groupBy" is a comma-separated list of ${DIMENSIONS.join(', ')}; "${unknown}" is not one.`);
      const rows = await reports.stats(viewer, {
        from,
        to,
        bucket: oneOf(params, 'bucket', BUCKETS) ?? 'DAY',
        timeZone: params.get('timeZone'),
        groupBy: groupBy as Dimension[],
        filter: { personId: params.get('personId'), decision: oneOf(params, 'decision', DECISIONS), source: params.get('source') },
      });
      return { filename: 'recognition-stats.csv', chunks: csvChunks(STATS_COLUMNS, once(rows)) };
    },
  };
}

export type ExportService = ReturnType<typeof createExportService>;
