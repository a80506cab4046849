import type { TopLevelSpec } from 'vega-lite';
import { baseConfig, renderPng, type PixelSize } from './render-png.js';

/** Cell side shrinks with the class count so ~60 classes still fit a readable square. */
const cellSide = (n: number) => Math.max(14, Math.min(40, Math.floor(900 / n)));

/** Pixel size of confusion_matrix.png for `n` labels (classes plus Unknown). */
export function confusionPlotSize(n: number): PixelSize {
  const side = Math.round(Math.min(2400, Math.max(1000, (cellSide(n) * n + 320) * 1.3)));
  return { width: side, height: side };
}

/**
 * Heatmap of counts[truth][pred] in the given label order. Cells are shaded by the share of the
 * true class's probes (so a class with few probes is as visible as a big one) and print the count.
 */
export async function plotConfusionMatrix(labels: readonly string[], counts: readonly (readonly number[])[], file: string, title: string): Promise<void> {
  const n = labels.length;
  const cell = cellSide(n);
  const values: { truth: string; pred: string; count: number; share: number }[] = [];
  counts.forEach((row, t) => {
    const support = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => values.push({ truth: labels[t]!, pred: labels[p]!, count, share: support ? count / support : 0 }));
  });
  const order = [...labels];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: 'rows: true class, columns: answer; shade = share of the row' },
    width: cell * n,
    height: cell * n,
    data: { values },
    encoding: {
      x: { field: 'pred', type: 'nominal', sort: order, title: 'Predicted', axis: { labelAngle: -90, labelFontSize: Math.min(12, cell * 0.7) } },
      y: { field: 'truth', type: 'nominal', sort: order, title: 'True class', axis: { labelFontSize: Math.min(12, cell * 0.7) } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: '#eeeeee', strokeWidth: 0.5 },
        encoding: {
          color: { field: 'share', type: 'quantitative', scale: { domain: [0, 1], range: ['#ffffff', '#08306b'], interpolate: 'rgb' }, title: 'share of row' },
        },
      },
      {
        transform: [{ filter: 'datum.count > 0' }],
        mark: { type: 'text', fontSize: Math.max(7, Math.min(13, cell * 0.55)) },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
    config: baseConfig,
  };
  await renderPng(spec, file, confusionPlotSize(n));
}
