/**
 * How well the default pipeline separates people on faces-dev: every photo's largest face,
 * leave-one-out nearest-neighbour accuracy, mean same-/different-person L2 distance, and the
 * probability that a same-person pair is closer than a different-person pair (AUC).
 * `--flip` turns flip-averaging on. The last line is the summary JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createModelRegistry, FACE_ARCFACE_ID } from '../src/embedding/index.js';
import { analyzeImage, createVision } from '../src/vision/index.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: fileURLToPath(new URL('../../shared/datasets/faces-dev', import.meta.url)) },
    'models-dir': { type: 'string', default: fileURLToPath(new URL('../models', import.meta.url)) },
    model: { type: 'string', default: FACE_ARCFACE_ID },
    'clip-model': { type: 'string' },
    flip: { type: 'boolean', default: false },
  },
});
const modelsDir = values['models-dir']!;
const registry = createModelRegistry({ modelsDir, flip: { [values.model!]: values.flip! }, ...(values['clip-model'] ? { clipModelPath: values['clip-model'] } : {}) });
const model = await registry.get(values.model);
const vision = createVision({ modelsDir });
const root = values.dir!;

const photos: Array<{ person: string; file: string; e: Float32Array }> = [];
const noFace: string[] = [];
for (const person of readdirSync(root).sort()) {
  for (const file of readdirSync(`${root}/${person}`).sort()) {
    const result = await analyzeImage(readFileSync(`${root}/${person}/${file}`), { model, vision });
    if (result.faces.length === 0) {
      noFace.push(`${person}/${file}`);
      continue;
    }
    const largest = result.faces.reduce((a, b) => (a.quality.faceSizePx >= b.quality.faceSizePx ? a : b));
    photos.push({ person, file, e: largest.embedding });
  }
}

const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
const same: number[] = [];
const different: number[] = [];
const misses: string[] = [];
photos.forEach((p, i) => {
  let best = { d: Infinity, person: '' };
  photos.forEach((q, j) => {
    if (i === j) return;
    const d = distance(p.e, q.e);
    if (j > i) (p.person === q.person ? same : different).push(d);
    if (d < best.d) best = { d, person: q.person };
  });
  if (best.person !== p.person) misses.push(`${p.person}/${p.file} -> ${best.person}`);
});
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sortedDifferent = [...different].sort((a, b) => a - b);
let below = 0;
for (const d of same) {
  // Different-person distances strictly greater than d, by binary search (a tie counts as a loss).
  let lo = 0, hi = sortedDifferent.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sortedDifferent[mid]! <= d) lo = mid + 1; else hi = mid; }
  below += sortedDifferent.length - lo;
}
const round = (x: number) => Math.round(x * 10000) / 10000;
if (misses.length > 0) console.log(JSON.stringify({ misses }));
console.log(
  JSON.stringify({
    model: model.id,
    flip: model.flip,
    images: photos.length + noFace.length,
    noFace: noFace.length,
    nnAccuracy: round((photos.length - misses.length) / photos.length),
    sameMeanL2: round(mean(same)),
    differentMeanL2: round(mean(different)),
    auc: round(below / (same.length * different.length)),
  }),
);
