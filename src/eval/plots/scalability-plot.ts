import type { TopLevelSpec } from 'vega-lite';
import { baseConfig, renderPng, type PixelSize } from './render-png.js';

export const SCALABILITY_PLOT_SIZE: PixelSize = { width: 1200, height: 750 };

export interface ScalabilityPoint {
  classes: number;
  metric: string;
  mean: number;
  min: number;
  max: number;
}

/** Accuracy against the number of enrolled classes, with the spread over the random draws as a band. */
export async function plotScalability(points: readonly ScalabilityPoint[], file: string, title: string): Promise<void> {
  // Zoomed to the data (in steps of 0.1) so small losses show, but never hiding where 1.0 is.
  const floor = Math.max(0, Math.floor((Math.min(...points.map((p) => p.min)) - 0.05) * 10) / 10);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: 'line: mean over seeded random class draws; band: min..max' },
    width: 950,
    height: 560,
    data: { values: points.map((p) => ({ ...p })) },
    encoding: {
      x: { field: 'classes', type: 'quantitative', title: 'enrolled classes', scale: { zero: false } },
      color: { field: 'metric', type: 'nominal', title: null, scale: { scheme: 'dark2' }, legend: { orient: 'bottom', symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 4 } },
    },
    layer: [
      { mark: { type: 'area', opacity: 0.15 }, encoding: { y: { field: 'min', type: 'quantitative', scale: { domain: [floor, 1] } }, y2: { field: 'max' } } },
      {
        mark: { type: 'line', point: { size: 60, filled: true }, strokeWidth: 2.5 },
        encoding: {
          y: { field: 'mean', type: 'quantitative', title: 'value', scale: { domain: [floor, 1] } },
          // Metrics often coincide (rank-1 = known accuracy at a loose threshold): dashes keep each one
          // visible on top of the others.
          strokeDash: { field: 'metric', type: 'nominal', legend: null },
        },
      },
    ],
    config: baseConfig,
  };
  await renderPng(spec, file, SCALABILITY_PLOT_SIZE);
}
