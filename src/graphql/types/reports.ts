import { arg, enumType, extendType, inputObjectType, nonNull, objectType, stringArg } from 'nexus';
import type { GraphQLContext } from '../context.js';
import { connectionTypes } from './relay.js';

export const ReportBucket = enumType({ name: 'ReportBucket', members: ['HOUR', 'DAY', 'WEEK', 'MONTH'], description: 'Buckets start at local midnight, Monday (WEEK) or the 1st (MONTH) in the report’s time zone.' });
export const StatsDimension = enumType({ name: 'StatsDimension', members: ['DECISION', 'SOURCE', 'PERSON', 'GALLERY'], description: 'GALLERY: an event counts once in each gallery it searched.' });

const personField = {
  type: 'Person' as const,
  resolve: (row: { personId?: string | null }, _a: unknown, ctx: GraphQLContext) => (row.personId ? ctx.services.people.get(ctx.viewer, row.personId) : null),
};

const inputs = [
  inputObjectType({
    name: 'ReportFilter',
    definition(t) {
      t.id('personId');
      t.field('decision', { type: 'RecognitionDecision' });
      t.string('source');
    },
  }),
  inputObjectType({
    name: 'RecognitionStatsInput',
    definition(t) {
      t.nonNull.field('from', { type: 'DateTime', description: 'Inclusive.' });
      t.nonNull.field('to', { type: 'DateTime', description: 'Exclusive.' });
      t.nonNull.field('bucket', { type: 'ReportBucket' });
      t.string('timeZone', { description: 'IANA name, e.g. "Europe/Berlin"; buckets follow its local time, DST included. Default UTC.' });
      t.list.nonNull.field('groupBy', { type: 'StatsDimension' });
      t.field('filter', { type: 'ReportFilter' });
    },
  }),
  inputObjectType({
    name: 'PresenceInput',
    definition(t) {
      t.nonNull.field('from', { type: 'DateTime' });
      t.nonNull.field('to', { type: 'DateTime' });
      t.string('timeZone', { description: 'Days are local days in this zone. Default UTC.' });
      t.list.nonNull.id('personIds');
      t.string('source');
      t.int('first', { description: 'At most 1000; default 50.' });
      t.string('after');
    },
  }),
  inputObjectType({
    name: 'VisitsInput',
    definition(t) {
      t.nonNull.field('from', { type: 'DateTime' });
      t.nonNull.field('to', { type: 'DateTime' });
      t.id('personId');
      t.string('source');
      t.int('gapMinutes', { description: 'Events closer than this belong to one visit. Default 10.' });
      t.int('first');
      t.string('after');
    },
  }),
  inputObjectType({
    name: 'UnknownRateInput',
    definition(t) {
      t.nonNull.field('from', { type: 'DateTime' });
      t.nonNull.field('to', { type: 'DateTime' });
      t.nonNull.field('bucket', { type: 'ReportBucket' });
      t.string('timeZone');
    },
  }),
  inputObjectType({
    name: 'TenantUsageInput',
    definition(t) {
      t.nonNull.field('from', { type: 'DateTime' });
      t.nonNull.field('to', { type: 'DateTime' });
      t.string('timeZone');
    },
  }),
  inputObjectType({
    name: 'DistanceDistributionInput',
    definition(t) {
      t.nonNull.field('from', { type: 'DateTime' });
      t.nonNull.field('to', { type: 'DateTime' });
      t.int('bins', { description: 'Equal bins over distances 0..2; default 40.' });
      t.field('decision', { type: 'RecognitionDecision' });
    },
  }),
];

const outputs = [
  objectType({
    name: 'RecognitionStatsRow',
    description: 'One bucket, split by the dimensions grouped by; the others are null.',
    definition(t) {
      t.nonNull.field('bucketStart', { type: 'DateTime' });
      t.field('decision', { type: 'RecognitionDecision' });
      t.string('source');
      t.id('personId');
      t.field('person', personField);
      t.id('galleryId');
      t.nonNull.int('count');
      t.nonNull.int('distinctPeople', { description: 'Different people matched.' });
      t.float('medianDistance', { description: 'Over the events that have a distance (MATCH and UNKNOWN).' });
      t.float('p95LatencyMs');
    },
  }),
  objectType({
    name: 'PresenceDay',
    description: 'One person on one local day: attendance.',
    definition(t) {
      t.nonNull.string('date', { description: 'YYYY-MM-DD in the report’s time zone.' });
      t.nonNull.id('personId');
      t.field('person', personField);
      t.nonNull.field('firstSeen', { type: 'DateTime' });
      t.nonNull.field('lastSeen', { type: 'DateTime' });
      t.nonNull.int('count');
      t.nonNull.list.nonNull.string('sources');
    },
  }),
  objectType({
    name: 'Visit',
    description: 'Consecutive MATCH events of one person at one source, each gap under gapMinutes.',
    definition(t) {
      t.nonNull.id('personId');
      t.field('person', personField);
      t.string('source');
      t.nonNull.field('start', { type: 'DateTime' });
      t.nonNull.field('end', { type: 'DateTime' });
      t.nonNull.int('events');
    },
  }),
  objectType({
    name: 'UnknownRateRow',
    definition(t) {
      t.nonNull.field('bucketStart', { type: 'DateTime' });
      t.string('source');
      t.nonNull.int('events');
      t.nonNull.int('faces', { description: 'Events with a face: MATCH and UNKNOWN.' });
      t.nonNull.int('unknown');
      t.nonNull.int('noFace');
      t.nonNull.int('calls', { description: 'Calls that wrote these events (identify, frames, video, verify), once each whatever their faces.' });
      t.float('unknownRate', { description: 'unknown / faces; null without faces.' });
      t.float('noFaceRate', { description: 'noFace / calls: the share of calls that found no face; null without calls.' });
    },
  }),
  objectType({
    name: 'DistanceBin',
    definition(t) {
      t.nonNull.float('from');
      t.nonNull.float('to');
      t.nonNull.int('count');
    },
  }),
  objectType({
    name: 'DistanceDistribution',
    definition(t) {
      t.nonNull.list.nonNull.field('bins', { type: 'DistanceBin' });
      t.nonNull.int('matches');
      t.nonNull.int('nearThreshold', { description: 'MATCH decisions within 0.05 below the threshold they were decided with.' });
      t.float('nearThresholdShare', { description: 'nearThreshold / matches: when it grows, a threshold or an enrollment needs attention.' });
    },
  }),
  objectType({
    name: 'UsageMonth',
    description: 'What was created in one local month.',
    definition(t) {
      t.nonNull.field('month', { type: 'DateTime', description: 'Local midnight of the 1st.' });
      t.nonNull.int('peopleCreated');
      t.nonNull.int('facesEnrolled');
      t.nonNull.int('imagesSubmitted', { description: 'Enrollment images, accepted or rejected.' });
      t.nonNull.int('events', { description: 'Recognition events: one per face decided, one per image without a face.' });
      t.nonNull.int('noFaceEvents');
      t.nonNull.int('calls', { description: 'Recognition calls (identify, frames, video, verify), once each whatever their faces. Before calls were recorded, one per event.' });
    },
  }),
  objectType({
    name: 'TenantUsageReport',
    definition(t) {
      t.nonNull.int('people', { description: 'Now.' });
      t.nonNull.int('faces', { description: 'Searchable faces now.' });
      t.nonNull.list.nonNull.field('months', { type: 'UsageMonth' });
    },
  }),
  objectType({
    name: 'SourceHealth',
    definition(t) {
      t.nonNull.string('source');
      t.nonNull.field('lastEventAt', { type: 'DateTime' });
      t.nonNull.int('eventsLastHour');
      t.nonNull.int('eventsLastDay');
      t.float('noFaceShare', { description: 'NO_FACE events over all events of the last 24 hours.' });
      t.float('unknownShare', { description: 'UNKNOWN over faces seen in the last 24 hours.' });
    },
  }),
];

/** Relay-shaped pages over computed rows; each row carries its own cursor. */
function toReportConnection<T extends { cursor: string }>(page: { items: T[]; hasNextPage: boolean; totalCount: number }) {
  const edges = page.items.map((node) => ({ cursor: node.cursor, node }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: page.totalCount };
}

export const ReportQueries = extendType({
  type: 'Query',
  definition(t) {
    t.nonNull.list.nonNull.field('recognitionStats', { type: 'RecognitionStatsRow', args: { input: nonNull(arg({ type: 'RecognitionStatsInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.reports.stats(ctx.viewer, input) });
    t.nonNull.field('presence', { type: 'PresenceDayConnection' as never, args: { input: nonNull(arg({ type: 'PresenceInput' })) }, resolve: async (_r, { input }, ctx) => toReportConnection(await ctx.services.reports.presence(ctx.viewer, input)) });
    t.nonNull.field('visits', { type: 'VisitConnection' as never, args: { input: nonNull(arg({ type: 'VisitsInput' })) }, resolve: async (_r, { input }, ctx) => toReportConnection(await ctx.services.reports.visits(ctx.viewer, input)) });
    t.nonNull.list.nonNull.field('unknownRate', { type: 'UnknownRateRow', description: 'Per bucket and source.', args: { input: nonNull(arg({ type: 'UnknownRateInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.reports.unknownRate(ctx.viewer, input) });
    t.nonNull.field('distanceDistribution', { type: 'DistanceDistribution', args: { input: nonNull(arg({ type: 'DistanceDistributionInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.reports.distanceDistribution(ctx.viewer, input) });
    t.nonNull.field('tenantUsage', { type: 'TenantUsageReport', description: 'The billing and capacity view, per local month.', args: { input: nonNull(arg({ type: 'TenantUsageInput' })) }, resolve: (_r, { input }, ctx) => ctx.services.reports.tenantUsage(ctx.viewer, input) });
    t.nonNull.list.nonNull.field('sourceHealth', { type: 'SourceHealth', description: 'Per source: the last event and the last 24 hours.', resolve: (_r, _a, ctx) => ctx.services.reports.sourceHealth(ctx.viewer) });
  },
});

export const PersonMatchDistanceTrend = extendType({
  type: 'Person',
  definition(t) {
    t.nonNull.list.nonNull.field('matchDistanceTrend', {
      type: 'RecognitionStatsRow',
      description: 'This person’s MATCH events per bucket, with their median distance: a rising median means the enrollment is ageing (VIEWER and above).',
      args: { from: nonNull(arg({ type: 'DateTime' })), to: nonNull(arg({ type: 'DateTime' })), bucket: nonNull(arg({ type: 'ReportBucket' })), timeZone: stringArg() },
      resolve: (p: { id: string }, args, ctx) => ctx.services.reports.stats(ctx.viewer, { ...args, filter: { personId: p.id, decision: 'MATCH' } }),
    });
  },
});

/** What reports need from each event (issue #13); declared here so recognition.ts stays as it was. */
export const RecognitionEventReportFields = extendType({
  type: 'RecognitionEvent',
  definition(t) {
    t.float('faceQuality', { description: 'Sharpness of the probe face.' });
    t.float('margin', { description: 'Distance to the nearest other person minus the decision’s distance; small means look-alikes.' });
    t.int('trackId', { description: 'For frames and video: the track this event decides.' });
  },
});

export const reportTypes = [ReportBucket, StatsDimension, ...inputs, ...outputs, ...connectionTypes('PresenceDay'), ...connectionTypes('Visit'), ReportQueries, PersonMatchDistanceTrend, RecognitionEventReportFields];
