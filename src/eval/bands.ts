import type { ClassScore } from './metrics.js';

/** The paper's performance bands (figure 17), by lower bound. */
export const BANDS = [
  { name: '0-49%', min: 0, max: 0.5 },
  { name: '50-74%', min: 0.5, max: 0.75 },
  { name: '75-100%', min: 0.75, max: Infinity },
] as const;

export interface BandRow {
  metric: 'precision' | 'recall' | 'f1';
  band: string;
  classes: string[];
}

/**
 * Groups the labels into bands by each metric (F1 first, the one the issue ranks by). Labels with
 * neither probes nor predictions are left out: they have no score to band.
 */
export function groupIntoBands(labels: readonly string[], scores: readonly ClassScore[]): BandRow[] {
  const rows: BandRow[] = [];
  for (const metric of ['f1', 'precision', 'recall'] as const) {
    for (const band of BANDS) {
      const classes = labels.filter((_, i) => {
        const s = scores[i]!;
        return (s.support > 0 || s.fp > 0) && s[metric] >= band.min && s[metric] < band.max;
      });
      rows.push({ metric, band: band.name, classes });
    }
  }
  return rows;
}
