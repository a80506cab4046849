import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toCsv } from './csv.js';
import { predictAcrossThresholds, rankOneAccuracy } from './grid.js';
import { scorePredictions } from './metrics.js';
import { searchNeighbours, type GalleryEntry } from './neighbours.js';
import type { ScalabilityPoint } from './plots/scalability-plot.js';
import { seededRandom } from './seeded-random.js';

export interface ScalabilityInput {
  classes: readonly string[];
  gallery: readonly GalleryEntry[];
  /** Probe embeddings (null: no face) with their true class, null for unknown people. */
  probes: readonly { embedding: Float32Array | null; label: string | null }[];
  params: { k1: number; k2: number; threshold: number };
  sizes: readonly number[];
  draws: number;
  seed: number;
}

export interface ScalabilityRow {
  classes: number;
  draws: number;
  probes: number;
  knownAccuracy: number[];
  rank1: number[];
  f1: number[];
}

/** Seeded Fisher–Yates: the same seed draws the same classes on every run and machine. */
function draw(classes: readonly string[], n: number, random: () => number): string[] {
  const pool = [...classes];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

/**
 * Accuracy at the chosen point as the gallery grows: for each size, several random class subsets are
 * enrolled alone and only their probes (plus the unknown people) are asked. Sizes above the class
 * count are skipped.
 */
export function measureScalability(input: ScalabilityInput): ScalabilityRow[] {
  const random = seededRandom(input.seed);
  const rows: ScalabilityRow[] = [];
  for (const size of input.sizes) {
    if (size < 1 || size > input.classes.length) continue;
    const draws = size === input.classes.length ? 1 : input.draws;
    const row: ScalabilityRow = { classes: size, draws, probes: 0, knownAccuracy: [], rank1: [], f1: [] };
    for (let d = 0; d < draws; d++) {
      const chosen = draw(input.classes, size, random);
      const labelIndex = new Map(chosen.map((c, i) => [c, i]));
      const gallery = input.gallery.filter((g) => labelIndex.has(g.label));
      const probes = input.probes.filter((p) => p.label === null || labelIndex.has(p.label));
      const neighbours = searchNeighbours(gallery, probes.map((p) => p.embedding), input.params.k2);
      const truth = Int32Array.from(probes, (p) => (p.label === null ? size : labelIndex.get(p.label)!));
      const [pred] = predictAcrossThresholds(neighbours, labelIndex, size, input.params.k1, input.params.k2, [input.params.threshold]);
      const m = scorePredictions(truth, pred!, size);
      row.probes += probes.length / draws;
      row.knownAccuracy.push(m.knownAccuracy);
      row.f1.push(m.f1);
      row.rank1.push(rankOneAccuracy(neighbours, probes.map((p) => p.label)));
    }
    rows.push(row);
  }
  return rows;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function scalabilityPoints(rows: readonly ScalabilityRow[]): ScalabilityPoint[] {
  return rows.flatMap((r) =>
    (
      [
        ['known accuracy', r.knownAccuracy],
        ['rank-1', r.rank1],
        ['micro F1', r.f1],
      ] as const
    ).map(([metric, xs]) => ({ classes: r.classes, metric, mean: mean(xs), min: Math.min(...xs), max: Math.max(...xs) })),
  );
}

export async function writeScalabilityCsv(outDir: string, rows: readonly ScalabilityRow[]): Promise<void> {
  const header = ['classes', 'draws', 'probes', 'known_accuracy', 'known_accuracy_min', 'known_accuracy_max', 'rank1', 'f1'];
  const body = rows.map((r) => [
    r.classes, r.draws, r.probes, mean(r.knownAccuracy), Math.min(...r.knownAccuracy), Math.max(...r.knownAccuracy), mean(r.rank1), mean(r.f1),
  ]);
  await writeFile(join(outDir, 'scalability.csv'), toCsv(header, body));
}
