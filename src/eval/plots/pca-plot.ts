import type { TopLevelSpec } from 'vega-lite';
import { baseConfig, renderPng, type PixelSize } from './render-png.js';

export const PCA_PLOT_SIZE: PixelSize = { width: 1400, height: 1000 };

export interface PcaPoint {
  x: number;
  y: number;
  /** Class name, or "Unknown" for people who are not enrolled. */
  label: string;
  role: 'enrolled' | 'probe';
}

/** Scatter of the 2-D PCA coloured by class, with each class's name at its centroid (the paper's figure 13). */
export async function plotPca(points: readonly PcaPoint[], explained: readonly number[], file: string, title: string): Promise<void> {
  const pct = (i: number) => `${((explained[i] ?? 0) * 100).toFixed(1)} % of variance`;
  const classCount = new Set(points.map((p) => p.label)).size;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: `${points.length} embeddings, ${classCount} labels; circles enrolled, crosses probes` },
    width: 1000,
    height: 760,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 45, opacity: 0.75 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: `PC1 (${pct(0)})`, scale: { zero: false } },
          y: { field: 'y', type: 'quantitative', title: `PC2 (${pct(1)})`, scale: { zero: false } },
          color: {
            field: 'label',
            type: 'nominal',
            scale: { scheme: classCount <= 10 ? 'category10' : 'category20' },
            legend: classCount <= 40 ? { columns: Math.ceil(classCount / 30), symbolLimit: 0, title: 'class' } : null,
          },
          shape: { field: 'role', type: 'nominal', scale: { domain: ['enrolled', 'probe'], range: ['circle', 'cross'] }, legend: null },
        },
      },
      {
        transform: [{ aggregate: [{ op: 'mean', field: 'x', as: 'cx' }, { op: 'mean', field: 'y', as: 'cy' }], groupby: ['label'] }],
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
