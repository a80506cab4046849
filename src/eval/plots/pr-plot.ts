import type { TopLevelSpec } from 'vega-lite';
import type { GridRow } from '../grid.js';
import { baseConfig, renderPng, type PixelSize } from './render-png.js';

export const PR_PLOT_SIZE: PixelSize = { width: 1600, height: 700 };

const MICRO = 'micro, Unknown is a class (paper)';
const NAMED = 'named answers only (Unknown = abstain)';

/**
 * Left: precision against recall as the threshold moves, at the best k1/k2. The paper's micro pair
 * sits on the diagonal by construction (one label per probe), so the open-set pair — precision of the
 * names given, share of known probes named — is drawn beside it. Right: the metrics against the
 * threshold, with the best (F1) and balanced thresholds marked.
 */
export async function plotPrCurve(
  rows: readonly GridRow[],
  marks: { best: number; balanced: number },
  file: string,
  title: string,
): Promise<void> {
  const sorted = [...rows].sort((a, b) => a.threshold - b.threshold);
  const pr = sorted.flatMap((r) => [
    { series: MICRO, threshold: r.threshold, recall: r.recall, precision: r.precision },
    { series: NAMED, threshold: r.threshold, recall: r.knownAccuracy, precision: r.matchPrecision },
  ]);
  const byThreshold = sorted.flatMap((r) => [
    { metric: 'micro F1', threshold: r.threshold, value: r.f1 },
    { metric: 'macro F1', threshold: r.threshold, value: r.macroF1 },
    { metric: 'known accuracy', threshold: r.threshold, value: r.knownAccuracy },
    ...(r.unknownRejection === null ? [] : [{ metric: 'unknown rejection', threshold: r.threshold, value: r.unknownRejection }]),
  ]);
  // One label when both marks coincide, so they do not print over each other.
  const rules =
    marks.best === marks.balanced
      ? [{ what: `best F1 = balanced (${marks.best.toFixed(2)})`, threshold: marks.best }]
      : [
          { what: `best F1 (${marks.best.toFixed(2)})`, threshold: marks.best },
          { what: `balanced (${marks.balanced.toFixed(2)})`, threshold: marks.balanced },
        ];
  const unit = { type: 'quantitative' as const, scale: { domain: [0, 1] } };
  const thresholdX = { x: { field: 'threshold', type: 'quantitative' as const, title: 'threshold (L2 distance)', scale: { zero: false } } };
  const valueY = { y: { field: 'value', ...unit, title: 'value' } };
  const metricColor = {
    field: 'metric',
    type: 'nominal' as const,
    title: null,
    scale: { domain: ['micro F1', 'macro F1', 'known accuracy', 'unknown rejection'], scheme: 'dark2' },
    legend: { orient: 'bottom' as const, direction: 'horizontal' as const, labelLimit: 300, symbolType: 'stroke', symbolStrokeWidth: 4, symbolOpacity: 1 },
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    hconcat: [
      {
        title: 'Precision / recall across thresholds',
        width: 560,
        height: 480,
        data: { values: pr },
        mark: { type: 'line', point: { size: 18 } },
        encoding: {
          x: { field: 'recall', ...unit, title: 'recall' },
          y: { field: 'precision', ...unit, title: 'precision' },
          color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 400 } },
          order: { field: 'threshold', type: 'quantitative' },
          tooltip: [{ field: 'threshold', type: 'quantitative' }],
        },
      },
      {
        title: 'Metrics against the L2 threshold',
        width: 700,
        height: 480,
        layer: [
          // Micro F1 is drawn as a wide translucent band under the others: without unknown probes it
          // equals known accuracy exactly, and a thin line would vanish beneath it.
          {
            data: { values: byThreshold },
            transform: [{ filter: "datum.metric === 'micro F1'" }],
            mark: { type: 'line', strokeWidth: 9, opacity: 0.35 },
            encoding: { ...thresholdX, ...valueY, color: metricColor },
          },
          {
            data: { values: byThreshold },
            transform: [{ filter: "datum.metric !== 'micro F1'" }],
            mark: { type: 'line', strokeWidth: 2.5 },
            encoding: { ...thresholdX, ...valueY, color: metricColor },
          },
          {
            data: { values: rules },
            mark: { type: 'rule', strokeDash: [6, 4], color: '#555555' },
            encoding: { x: { field: 'threshold', type: 'quantitative' } },
          },
          {
            data: { values: rules },
            mark: { type: 'text', angle: 270, align: 'left', baseline: 'bottom', dx: 6, dy: -4, fontSize: 12, color: '#333333' },
            encoding: { x: { field: 'threshold', type: 'quantitative' }, y: { datum: 0.05 }, text: { field: 'what' } },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: baseConfig,
  };
  await renderPng(spec, file, PR_PLOT_SIZE);
}
