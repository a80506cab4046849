import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { groupIntoBands } from './bands.js';
import { loadDataset } from './dataset.js';
import { embedSamples } from './embed-samples.js';
import type { StartProgress } from './progress.js';
import type { Embedder } from './embedder.js';
import { EmbeddingCache } from './embedding-cache.js';
import { balancedRow, bestRow, defaultGrid, maxK2, predictAcrossThresholds, rankOneAccuracy, sweepGrid } from './grid.js';
import { confusionMatrix, perClassScores } from './metrics.js';
import { searchNeighbours, type GalleryEntry } from './neighbours.js';
import { pcaProject } from './pca.js';
import { plotConfusionMatrix } from './plots/confusion-plot.js';
import { plotPca, type PcaPoint } from './plots/pca-plot.js';
import { plotPrCurve } from './plots/pr-plot.js';
import { plotScalability } from './plots/scalability-plot.js';
import { writeBandsCsv, writeGridCsv, writeJson, writePerClassCsv } from './reports.js';
import { measureScalability, scalabilityPoints, writeScalabilityCsv } from './scalability.js';

export interface EvalOptions {
  data: string;
  unknown?: string;
  /** Flat layout: files per class to enroll. */
  enroll?: number;
  out: string;
  maxThreshold: number;
  /** Gallery sizes for the scalability curve; empty for none. */
  scalability: number[];
  scalabilityDraws: number;
  seed: number;
  /** Draws the embedding progress (the CLI's progress bar); none by default. */
  progress?: StartProgress;
  /** Root of the on-disk embedding cache; null disables it. */
  cacheDir: string | null;
}

/** The one-line result the command prints last. */
export interface EvalSummary {
  classes: number;
  /** Every probe asked, known and unknown. */
  probes: number;
  unknownProbes: number;
  rank1: number;
  best: { k1: number; k2: number; threshold: number; f1: number; knownAccuracy: number; unknownRejection: number | null };
  balanced: { threshold: number; knownAccuracy: number; unknownRejection: number | null };
  embedMsPerImage: number;
  gridMs: number;
}

const UNKNOWN = 'Unknown';
const r4 = (n: number) => Math.round(n * 1e4) / 1e4;
const r4n = (n: number | null) => (n === null ? null : r4(n));

/** The paper's protocol end to end: embed once, search once with the largest k2, sweep the grid in memory, report. */
export async function runEvaluation(options: EvalOptions, embedder: Embedder, log: (line: string) => void): Promise<EvalSummary> {
  const dataset = await loadDataset(options.data, {
    ...(options.enroll !== undefined ? { enroll: options.enroll } : {}),
    ...(options.unknown !== undefined ? { unknownDir: options.unknown } : {}),
  });
  const { classes, enrolled, probes } = dataset;
  log(`${classes.length} classes (${dataset.layout} layout), ${enrolled.length} enrolled images, ${probes.length} probes`);
  await mkdir(options.out, { recursive: true });

  const cache = options.cacheDir === null ? undefined : new EmbeddingCache(options.cacheDir, embedder.cacheNamespace);
  const embedded = await embedSamples([...enrolled, ...probes].map((s) => s.path), embedder, cache, options.progress);
  log(`embedded ${embedded.computed} images, ${embedded.fromCache} from cache, ${embedded.embedMsPerImage.toFixed(1)} ms per image`);
  const enrolledVecs = embedded.embeddings.slice(0, enrolled.length);
  const probeVecs = embedded.embeddings.slice(enrolled.length);

  const gallery: GalleryEntry[] = enrolled.flatMap((s, i) => (enrolledVecs[i] ? [{ label: s.label!, embedding: enrolledVecs[i] }] : []));
  const noFace = {
    enrolled: enrolled.filter((_, i) => enrolledVecs[i] === null).map((s) => s.path),
    probes: probes.filter((_, i) => probeVecs[i] === null).map((s) => s.path),
  };
  if (noFace.enrolled.length + noFace.probes.length > 0) {
    log(`no face found in ${noFace.enrolled.length} enrolled images (skipped) and ${noFace.probes.length} probes (answered Unknown); listed in best.json`);
  }

  const grid = defaultGrid(options.maxThreshold);
  const neighbours = searchNeighbours(gallery, probeVecs, maxK2(grid));
  const labelIndex = new Map(classes.map((c, i) => [c, i]));
  const unknownLabel = classes.length;
  const truth = Int32Array.from(probes, (p) => (p.label === null ? unknownLabel : labelIndex.get(p.label)!));

  const t0 = performance.now();
  const rows = sweepGrid(neighbours, truth, labelIndex, grid);
  const gridMs = performance.now() - t0;
  log(`grid: ${rows.length} points over ${probes.length} probes in ${gridMs.toFixed(0)} ms`);

  const best = bestRow(rows);
  const balanced = balancedRow(rows, best.k1, best.k2);
  const rank1 = rankOneAccuracy(neighbours, probes.map((p) => p.label));

  const labels = [...classes, UNKNOWN];
  const [bestPred] = predictAcrossThresholds(neighbours, labelIndex, unknownLabel, best.k1, best.k2, [best.threshold]);
  const scores = perClassScores(truth, bestPred!, labels.length);
  await writeGridCsv(options.out, rows);
  await writePerClassCsv(options.out, labels, scores);
  await writeBandsCsv(options.out, groupIntoBands(labels, scores));

  const at = `k1=${best.k1} k2=${best.k2} threshold=${best.threshold.toFixed(2)}`;
  await plotConfusionMatrix(labels, confusionMatrix(truth, bestPred!, labels.length), join(options.out, 'confusion_matrix.png'), `Confusion matrix at the best point (${at})`);
  const vectors: { v: Float32Array; label: string; role: PcaPoint['role'] }[] = gallery.map((g) => ({ v: g.embedding, label: g.label, role: 'enrolled' }));
  probes.forEach((p, i) => {
    const v = probeVecs[i];
    if (v) vectors.push({ v, label: p.label ?? UNKNOWN, role: 'probe' });
  });
  const pca = pcaProject(vectors.map((x) => x.v));
  const pcaPoints: PcaPoint[] = vectors.map((x, i) => ({ x: pca.points[i]![0]!, y: pca.points[i]![1]!, label: x.label, role: x.role }));
  await plotPca(pcaPoints, pca.explained, join(options.out, 'pca.png'), `PCA of ${embedder.modelId} embeddings`);
  await plotPrCurve(
    rows.filter((r) => r.k1 === best.k1 && r.k2 === best.k2),
    { best: best.threshold, balanced: balanced.threshold },
    join(options.out, 'pr_curve.png'),
    `k1=${best.k1}, k2=${best.k2}`,
  );

  if (options.scalability.length > 0) {
    const scal = measureScalability({
      classes,
      gallery,
      probes: probes.map((p, i) => ({ embedding: probeVecs[i]!, label: p.label })),
      params: { k1: best.k1, k2: best.k2, threshold: best.threshold },
      sizes: options.scalability,
      draws: options.scalabilityDraws,
      seed: options.seed,
    });
    await writeScalabilityCsv(options.out, scal);
    await plotScalability(scalabilityPoints(scal), join(options.out, 'scalability.png'), `Scalability at ${at}`);
    const skipped = options.scalability.filter((n) => n > classes.length);
    if (skipped.length) log(`scalability: skipped sizes above the ${classes.length} classes: ${skipped.join(', ')}`);
  }

  const summary: EvalSummary = {
    classes: classes.length,
    probes: probes.length,
    unknownProbes: probes.filter((p) => p.label === null).length,
    rank1: r4(rank1),
    best: { k1: best.k1, k2: best.k2, threshold: best.threshold, f1: r4(best.f1), knownAccuracy: r4(best.knownAccuracy), unknownRejection: r4n(best.unknownRejection) },
    balanced: { threshold: balanced.threshold, knownAccuracy: r4(balanced.knownAccuracy), unknownRejection: r4n(balanced.unknownRejection) },
    embedMsPerImage: Math.round(embedded.embedMsPerImage * 10) / 10,
    gridMs: Math.round(gridMs),
  };
  await writeJson(options.out, 'best.json', {
    model: embedder.modelId,
    data: options.data,
    unknown: options.unknown ?? null,
    layout: dataset.layout,
    enrolledImages: enrolled.length,
    noFace,
    best,
    balanced,
    rank1: summary.rank1,
    summary,
  });
  return summary;
}
