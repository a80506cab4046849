// Reports: recognitions per day stacked by decision, unknown rate per source, today's presence,
// and the distance histogram with the tenant's threshold marked. Days are the browser's local days.
import type { TopLevelSpec } from 'vega-lite';
import { useState } from 'preact/hooks';
import { gql } from '../api';
import { ErrorNote, Table, Section, formatTime, useLoad } from '../ui';
import { Chart } from './chart';

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const DAY_MS = 86_400_000;

function startOfLocalDay(d = new Date()): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

interface ReportsAnswer {
  recognitionStats: { bucketStart: string; decision: string; count: number }[];
  unknownRate: { source: string | null; unknown: number; faces: number }[];
  distanceDistribution: { matches: number; nearThreshold: number; nearThresholdShare: number | null; bins: { from: number; to: number; count: number }[] };
  viewer: { tenant: { settings: { threshold: number } } } | null;
}
interface PresenceAnswer {
  presence: { totalCount: number; edges: { node: { personId: string; date: string; firstSeen: string; lastSeen: string; count: number; sources: string[]; person: { displayName: string } | null } }[] };
}

const REPORTS = `query Reports($stats: RecognitionStatsInput!, $unknown: UnknownRateInput!, $dist: DistanceDistributionInput!) {
  recognitionStats(input: $stats) { bucketStart decision count }
  unknownRate(input: $unknown) { source unknown faces }
  distanceDistribution(input: $dist) { matches nearThreshold nearThresholdShare bins { from to count } }
  viewer { tenant { settings { threshold } } }
}`;
const PRESENCE = `query Presence($input: PresenceInput!) {
  presence(input: $input) { totalCount edges { node { personId date firstSeen lastSeen count sources person { displayName } } } }
}`;

const DECISION_COLORS = { domain: ['MATCH', 'UNKNOWN', 'NO_FACE'], range: ['#2f7d4f', '#c2571a', '#8a8f98'] };

/** YYYY-MM-DD of a local day: sorts as text, so the chart's days stay in order. */
function dayLabel(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Every day of the period appears, with zero where nothing was recognised. */
function perDaySpec(rows: ReportsAnswer['recognitionStats'], from: Date, days: number): TopLevelSpec {
  const values = rows.map((r) => ({ day: dayLabel(new Date(r.bucketStart)), decision: r.decision, count: r.count }));
  for (let i = 0; i < days; i++) values.push({ day: dayLabel(new Date(from.getFullYear(), from.getMonth(), from.getDate() + i)), decision: 'MATCH', count: 0 });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 220,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'day', type: 'ordinal', title: 'Day', axis: { labelAngle: -45, labelOverlap: true } },
      y: { field: 'count', type: 'quantitative', aggregate: 'sum', stack: 'zero', title: 'Recognitions', axis: { tickMinStep: 1 } },
      color: { field: 'decision', type: 'nominal', scale: DECISION_COLORS, title: 'Decision' },
    },
  };
}

function unknownSpec(rows: ReportsAnswer['unknownRate']): TopLevelSpec {
  const bySource = new Map<string, { unknown: number; faces: number }>();
  for (const r of rows) {
    const key = r.source ?? '(none)';
    const sum = bySource.get(key) ?? { unknown: 0, faces: 0 };
    bySource.set(key, { unknown: sum.unknown + r.unknown, faces: sum.faces + r.faces });
  }
  const values = [...bySource].filter(([, s]) => s.faces > 0).map(([source, s]) => ({ source, rate: s.unknown / s.faces, faces: s.faces }));
  const encoding = {
    y: { field: 'source', type: 'nominal' as const, title: 'Source' },
    x: { field: 'rate', type: 'quantitative' as const, title: 'Unknown rate (unknown faces / faces seen)', axis: { format: '%', tickCount: 5 }, scale: { domain: [0, 1] } },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: { step: 28 },
    data: { values },
    encoding,
    layer: [
      { mark: { type: 'bar', tooltip: true, color: '#c2571a' } },
      // The share in words beside each bar, so a 0% source still shows a value.
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { text: { field: 'rate', type: 'quantitative', format: '.1%' } } },
    ],
  };
}

function histogramSpec(dist: ReportsAnswer['distanceDistribution'], threshold: number | null): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 220,
    layer: [
      {
        data: { values: dist.bins },
        mark: { type: 'bar', tooltip: true, color: '#3b6ea8' },
        encoding: {
          x: { field: 'from', type: 'quantitative', bin: { binned: true, step: dist.bins[0] ? dist.bins[0].to - dist.bins[0].from : 0.05 }, title: 'Distance' },
          x2: { field: 'to' },
          y: { field: 'count', type: 'quantitative', title: 'Faces', axis: { tickMinStep: 1 } },
        },
      },
      ...(threshold === null
        ? []
        : [
            {
              data: { values: [{ threshold, label: `threshold ${threshold}` }] },
              layer: [
                { mark: { type: 'rule' as const, color: '#c0392b', strokeWidth: 2, strokeDash: [6, 3] }, encoding: { x: { field: 'threshold', type: 'quantitative' as const } } },
                { mark: { type: 'text' as const, color: '#c0392b', align: 'left' as const, dx: 4, dy: -90 }, encoding: { x: { field: 'threshold', type: 'quantitative' as const }, text: { field: 'label' } } },
              ],
            },
          ]),
    ],
  };
}

function Presence() {
  const today = startOfLocalDay();
  const loaded = useLoad(
    () => gql<PresenceAnswer>(PRESENCE, { input: { from: today.toISOString(), to: new Date(today.getTime() + DAY_MS).toISOString(), timeZone, first: 100 } }),
    [],
  );
  const rows = loaded.data?.presence.edges.map((e) => e.node) ?? [];
  return (
    <Section title="Today’s presence">
      <ErrorNote error={loaded.error} />
      <Table head={['Person', 'First seen', 'Last seen', 'Recognitions', 'Sources']} empty={!loaded.loading && rows.length === 0 && `Nobody has been recognised today.`} testId="presence">
            {rows.map((r) => (
              <tr key={r.personId}>
                <td>{r.person?.displayName ?? r.personId}</td>
                <td>{formatTime(r.firstSeen)}</td>
                <td>{formatTime(r.lastSeen)}</td>
                <td>{r.count}</td>
                <td>{r.sources.join(', ')}</td>
              </tr>
            ))}
            
          </Table>
    </Section>
  );
}

export function ReportsPage() {
  const [days, setDays] = useState(7);
  const to = new Date(startOfLocalDay().getTime() + DAY_MS);
  const from = new Date(to.getTime() - days * DAY_MS);
  const range = { from: from.toISOString(), to: to.toISOString() };
  const loaded = useLoad(
    () =>
      gql<ReportsAnswer>(REPORTS, {
        stats: { ...range, bucket: 'DAY', timeZone, groupBy: ['DECISION'] },
        unknown: { ...range, bucket: 'DAY', timeZone },
        dist: { ...range, bins: 40 },
      }),
    [days],
  );
  const r = loaded.data;
  const threshold = r?.viewer?.tenant.settings.threshold ?? null;
  return (
    <>
      <Section title="Reports">
        <label>
          Period
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            <option value="7">Last 7 days</option>
            <option value="30">Last 30 days</option>
            <option value="90">Last 90 days</option>
          </select>
        </label>
        <p class="hint">Days in {timeZone}.</p>
        <ErrorNote error={loaded.error} />
      </Section>
      {r ? (
        <>
          <Section title="Recognitions per day">
            <Chart spec={perDaySpec(r.recognitionStats, from, days)} label="Recognitions per day, stacked by decision" testId="chart-per-day" />
          </Section>
          <Section title="Unknown rate per source">
            {r.unknownRate.some((u) => u.faces > 0) ? <Chart spec={unknownSpec(r.unknownRate)} label="Unknown rate per source" testId="chart-unknown" /> : <p>No faces seen in this period.</p>}
          </Section>
          <Section title="Distance distribution">
            <Chart spec={histogramSpec(r.distanceDistribution, threshold)} label="Histogram of distances with the threshold marked" testId="chart-distance" />
            <p class="hint">
              {r.distanceDistribution.matches} matches, {r.distanceDistribution.nearThreshold} within 0.05 of the threshold
              {r.distanceDistribution.nearThresholdShare !== null ? ` (${(r.distanceDistribution.nearThresholdShare * 100).toFixed(1)}%)` : ''}: a growing share means the
              threshold or an enrollment needs attention.
            </p>
          </Section>
        </>
      ) : null}
      <Presence />
    </>
  );
}
