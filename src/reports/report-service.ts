import { requireTenant, assertNever, type Viewer } from '../auth/index.js';
import type { RecognitionDecision, Repositories } from '../db/index.js';
import type { ReportBucket, StatsDimension } from '../db/report-repository.js';
import { AppError, badInput } from '../errors.js';
import { MAX_REPORT_ROWS, checkFirst, checkPersonId, checkRange, checkTimeZone, decodeReportCursor, encodeReportCursor, tooManyRows } from './report-input.js';

export type Bucket = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH';
export type Dimension = 'DECISION' | 'SOURCE' | 'PERSON' | 'GALLERY';

export interface ReportFilter {
  personId?: string | null;
  decision?: RecognitionDecision | null;
  source?: string | null;
}

export interface StatsInput {
  from: Date;
  to: Date;
  bucket: Bucket;
  timeZone?: string | null;
  groupBy?: readonly Dimension[] | null;
  filter?: ReportFilter | null;
}

function bucketField(bucket: Bucket): ReportBucket {
  switch (bucket) {
    case 'HOUR':
      return 'hour';
    case 'DAY':
      return 'day';
    case 'WEEK':
      return 'week';
    case 'MONTH':
      return 'month';
    default:
      return assertNever(bucket);
  }
}

function dimensionColumn(d: Dimension): StatsDimension {
  switch (d) {
    case 'DECISION':
      return 'decision';
    case 'SOURCE':
      return 'source';
    case 'PERSON':
      return 'personId';
    case 'GALLERY':
      return 'galleryId';
    default:
      return assertNever(d);
  }
}

/** A share, or null when nothing was counted (no answer is better than a made-up 0). */
const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** Matches within this distance below the threshold count as "near": the drift signal. */
export const NEAR_THRESHOLD_BAND = 0.05;

/** What dashboards and analysts read: aggregates computed in PostgreSQL, tenant-scoped, VIEWER and above. */
export function createReportService({ repos, now = () => new Date() }: { repos: Repositories; now?: () => Date }) {
  async function requirePeople(tenantId: string, ids: readonly string[], field: string): Promise<void> {
    for (const id of ids) checkPersonId(id, field);
    const found = ids.length === 0 ? [] : await repos.people.byIds(tenantId, [...new Set(ids)]);
    const missing = ids.find((id) => !found.some((p) => p.id === id));
    if (missing) throw new AppError('NOT_FOUND', `No person with id "${missing}".`, { field });
  }

  return {
    async stats(viewer: Viewer, input: StatsInput) {
      const v = requireTenant(viewer, 'readEvents');
      const range = checkRange(input.from, input.to);
      const filter = input.filter ?? {};
      if (filter.personId) await requirePeople(v.tenantId, [filter.personId], 'filter.personId');
      const rows = await repos.reports.stats(v.tenantId, {
        ...range,
        timeZone: checkTimeZone(input.timeZone),
        bucket: bucketField(input.bucket),
        groupBy: [...new Set(input.groupBy ?? [])].map(dimensionColumn),
        filter,
        limit: MAX_REPORT_ROWS + 1,
      });
      if (rows.length > MAX_REPORT_ROWS) throw tooManyRows();
      return rows;
    },

    async presence(viewer: Viewer, input: { from: Date; to: Date; timeZone?: string | null; personIds?: readonly string[] | null; source?: string | null; first?: number | null; after?: string | null }) {
      const v = requireTenant(viewer, 'readEvents');
      const range = checkRange(input.from, input.to);
      if (input.personIds) await requirePeople(v.tenantId, input.personIds, 'personIds');
      const after = decodeReportCursor(input.after, (p) => (typeof p[0] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(p[0]) && typeof p[1] === 'string' && /^[0-9a-f-]{36}$/i.test(p[1]) ? ([p[0], p[1]] as const) : null));
      const page = await repos.reports.presence(v.tenantId, {
        ...range,
        timeZone: checkTimeZone(input.timeZone),
        personIds: input.personIds ?? null,
        source: input.source ?? null,
        first: checkFirst(input.first),
        after: after ? { date: after[0], personId: after[1] } : null,
      });
      return { ...page, items: page.items.map((row) => ({ ...row, cursor: encodeReportCursor([row.date, row.personId]) })) };
    },

    async visits(viewer: Viewer, input: { from: Date; to: Date; personId?: string | null; source?: string | null; gapMinutes?: number | null; first?: number | null; after?: string | null }) {
      const v = requireTenant(viewer, 'readEvents');
      const range = checkRange(input.from, input.to);
      const personId = checkPersonId(input.personId);
      if (personId) await requirePeople(v.tenantId, [personId], 'personId');
      const gapMinutes = input.gapMinutes ?? 10;
      if (!Number.isInteger(gapMinutes) || gapMinutes < 1 || gapMinutes > 24 * 60) throw badInput('gapMinutes', '"gapMinutes" must be a whole number of minutes from 1 to 1440.');
      const after = decodeReportCursor(input.after, (p) => {
        const start = typeof p[0] === 'string' ? new Date(p[0]) : null;
        return start && !Number.isNaN(start.getTime()) && typeof p[1] === 'string' && /^[0-9a-f-]{36}$/i.test(p[1]) && typeof p[2] === 'string' ? ([start, p[1], p[2]] as const) : null;
      });
      const page = await repos.reports.visits(v.tenantId, {
        ...range,
        personId,
        source: input.source ?? null,
        gapMinutes,
        first: checkFirst(input.first),
        after: after ? { start: after[0], personId: after[1], source: after[2] } : null,
      });
      return { ...page, items: page.items.map((row) => ({ ...row, cursor: encodeReportCursor([row.start.toISOString(), row.personId, row.source ?? '']) })) };
    },

    async unknownRate(viewer: Viewer, input: { from: Date; to: Date; bucket: Bucket; timeZone?: string | null }) {
      const v = requireTenant(viewer, 'readEvents');
      const rows = await repos.reports.unknownRate(v.tenantId, { ...checkRange(input.from, input.to), timeZone: checkTimeZone(input.timeZone), bucket: bucketField(input.bucket), limit: MAX_REPORT_ROWS + 1 });
      if (rows.length > MAX_REPORT_ROWS) throw tooManyRows();
      return rows.map((r) => ({ ...r, unknownRate: share(r.unknown, r.faces), noFaceRate: share(r.noFace, r.calls) }));
    },

    async distanceDistribution(viewer: Viewer, input: { from: Date; to: Date; bins?: number | null; decision?: RecognitionDecision | null }) {
      const v = requireTenant(viewer, 'readEvents');
      const range = checkRange(input.from, input.to);
      const bins = input.bins ?? 40;
      if (!Number.isInteger(bins) || bins < 1 || bins > 400) throw badInput('bins', '"bins" must be from 1 to 400.');
      const [histogram, near] = await Promise.all([
        repos.reports.distanceHistogram(v.tenantId, { ...range, bins, decision: input.decision ?? null }),
        repos.reports.nearThreshold(v.tenantId, { ...range, band: NEAR_THRESHOLD_BAND }),
      ]);
      const width = 2 / bins;
      const counts = new Map(histogram.bins.map((b) => [b.bin, b.count]));
      return {
        bins: Array.from({ length: bins }, (_, i) => ({ from: i * width, to: (i + 1) * width, count: counts.get(i) ?? 0 })),
        matches: near.matches,
        nearThreshold: near.near,
        nearThresholdShare: share(near.near, near.matches),
      };
    },

    async tenantUsage(viewer: Viewer, input: { from: Date; to: Date; timeZone?: string | null }) {
      const v = requireTenant(viewer, 'readEvents');
      const [months, totals] = await Promise.all([
        repos.usage.monthly(v.tenantId, { ...checkRange(input.from, input.to), timeZone: checkTimeZone(input.timeZone) }),
        repos.usage.totals(v.tenantId),
      ]);
      return { ...totals, months };
    },

    async sourceHealth(viewer: Viewer) {
      const v = requireTenant(viewer, 'readEvents');
      const rows = await repos.reports.sourceHealth(v.tenantId, now());
      return rows.map((r) => ({ ...r, noFaceShare: share(r.noFaceLastDay, r.eventsLastDay), unknownShare: share(r.unknownLastDay, r.eventsLastDay - r.noFaceLastDay) }));
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
