import type { TopLevelSpec } from 'vega-lite';
import { baseConfig, renderPng, type PixelSize } from './render-png.js';

/** The label of people who are not enrolled. */
export const UNKNOWN_LABEL = 'Unknown';

export const PCA_PLOT_SIZE: PixelSize = { width: 1400, height: 1000 };

export interface PcaPoint {
  x: number;
  y: number;
  /** Class name, or UNKNOWN_LABEL for people who are not enrolled. */
  label: string;
  role: 'enrolled' | 'probe';
}

/** Scatter of the 2-D PCA coloured by class, with each class's name at its centroid (the paper's figure 13). */
export async function plotPca(points: readonly PcaPoint[], explained: readonly number[], file: string, title: string): Promise<void> {
  const pct = (i: number) => `${((explained[i] ?? 0) * 100).toFixed(1)} % of variance`;
  const classCount = new Set(points.filter((p) => p.label !== UNKNOWN_LABEL).map((p) => p.label)).size;
  const unknownCount = points.filter((p) => p.label === UNKNOWN_LABEL).length;
  const axes = {
    x: { field: 'x', type: 'quantitative' as const, title: `PC1 (${pct(0)})`, scale: { zero: false } },
    y: { field: 'y', type: 'quantitative' as const, title: `PC2 (${pct(1)})`, scale: { zero: false } },
  };
  const roleShape = { field: 'role', type: 'nominal' as const, scale: { domain: ['enrolled', 'probe'], range: ['circle', 'cross'] }, legend: null };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: `${points.length} embeddings, ${classCount} classes; circles enrolled, crosses probes${unknownCount ? `, grey: ${unknownCount} unknown people` : ''}` },
    width: 1000,
    height: 760,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        transform: [{ filter: `datum.label !== '${UNKNOWN_LABEL}'` }],
        mark: { type: 'point', filled: true, size: 45, opacity: 0.75 },
        encoding: {
          ...axes,
          color: {
            field: 'label',
            type: 'nominal',
            scale: { scheme: classCount <= 10 ? 'category10' : 'category20' },
            legend: classCount <= 60 ? { columns: Math.ceil(classCount / 30), symbolLimit: 0, labelLimit: 220, title: 'class' } : null,
          },
          shape: roleShape,
        },
      },
      // Unknown people are not a class and form no cluster: plain grey, no centroid label.
      {
        transform: [{ filter: `datum.label === '${UNKNOWN_LABEL}'` }],
        mark: { type: 'point', filled: true, size: 60, opacity: 0.9, color: '#777777' },
        encoding: { ...axes, shape: roleShape },
      },
      {
        transform: [
          { filter: `datum.label !== '${UNKNOWN_LABEL}'` },
          { aggregate: [{ op: 'mean', field: 'x', as: 'cx' }, { op: 'mean', field: 'y', as: 'cy' }], groupby: ['label'] },
        ],
        mark: { type: 'text', fontSize: 11, fontWeight: 'bold', dy: -8, color: '#222222' },
        encoding: {
          x: { field: 'cx', type: 'quantitative' },
          y: { field: 'cy', type: 'quantitative' },
          text: { field: 'label', type: 'nominal' },
        },
      },
    ],
    config: baseConfig,
  };
  await renderPng(spec, file, PCA_PLOT_SIZE);
}
