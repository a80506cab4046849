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
      { mark: { type: 'area', opacity: 0.15 }, encoding: { y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } } },
      {
        mark: { type: 'line', point: true, strokeWidth: 2.5 },
        encoding: { y: { field: 'mean', type: 'quantitative', title: 'value', scale: { domain: [0, 1] } } },
      },
    ],
    config: baseConfig,
  };
  await renderPng(spec, file, SCALABILITY_PLOT_SIZE);
}
