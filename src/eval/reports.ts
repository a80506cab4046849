import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BandRow } from './bands.js';
import { toCsv } from './csv.js';
import type { GridRow } from './grid.js';
import type { ClassScore } from './metrics.js';

export const GRID_HEADER = [
  'k1', 'k2', 'threshold', 'precision', 'recall', 'f1', 'macro_f1', 'tp', 'fp', 'tn', 'fn', 'known_accuracy', 'unknown_rejection',
] as const;

export async function writeGridCsv(outDir: string, rows: readonly GridRow[]): Promise<void> {
  const body = rows.map((r) => [
    r.k1, r.k2, r.threshold.toFixed(2), r.precision, r.recall, r.f1, r.macroF1, r.tp, r.fp, r.tn, r.fn, r.knownAccuracy, r.unknownRejection,
  ]);
  await writeFile(join(outDir, 'grid_search_results.csv'), toCsv(GRID_HEADER, body));
}

export async function writePerClassCsv(outDir: string, labels: readonly string[], scores: readonly ClassScore[]): Promise<void> {
  const body = labels.map((label, i) => {
    const s = scores[i]!;
    return [label, s.precision, s.recall, s.f1, s.support];
  });
  await writeFile(join(outDir, 'per_class_report.csv'), toCsv(['class', 'precision', 'recall', 'f1', 'support'], body));
}

export async function writeBandsCsv(outDir: string, bands: readonly BandRow[]): Promise<void> {
  const body = bands.map((b) => [b.metric, b.band, b.classes.length, b.classes.join(';')]);
  await writeFile(join(outDir, 'bands.csv'), toCsv(['metric', 'band', 'count', 'classes'], body));
}

export async function writeJson(outDir: string, name: string, value: unknown): Promise<void> {
  await writeFile(join(outDir, name), JSON.stringify(value, null, 2) + '\n');
}
