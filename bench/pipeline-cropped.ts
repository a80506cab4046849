/**
 * Which way of handling pre-cropped faces works best on ORL (92×112 grey tight crops): each
 * val photo's nearest train photo (L2 on the default model's embeddings) must be its subject.
 * Variants: cropped + landmarks-if-sane (the default `auto`), cropped + always landmarks,
 * cropped + fixed centre square (`resize`), and the detector with the explicit fallback.
 * Prints one line per variant; the last line is {"auto":acc,"landmarks":acc,"resize":acc,"detected":acc}.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createModelRegistry } from '../src/embedding/index.js';
import { analyzeImage, createVision, type AnalyzeOptions } from '../src/vision/index.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: fileURLToPath(new URL('../../shared/datasets/orl-faces', import.meta.url)) },
    'models-dir': { type: 'string', default: fileURLToPath(new URL('../models', import.meta.url)) },
    model: { type: 'string' },
  },
});
const modelsDir = values['models-dir']!;
const vision = createVision({ modelsDir });
const model = await createModelRegistry({ modelsDir }).get(values.model);
const root = values.dir!;
const subjects = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

const variants: Record<string, Partial<AnalyzeOptions>> = {
  auto: { cropped: true, croppedAlignment: 'auto' },
  landmarks: { cropped: true, croppedAlignment: 'landmarks' },
  resize: { cropped: true, croppedAlignment: 'resize' },
  detected: { croppedFallbackMaxSide: 200 },
};

const squared = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
const summary: Record<string, number> = {};
for (const [name, options] of Object.entries(variants)) {
  const sets = { train: [] as Array<{ subject: string; e: Float32Array }>, val: [] as Array<{ subject: string; e: Float32Array }> };
  const how: Record<string, number> = {};
  let probes = 0;
  for (const subject of subjects) {
    for (const split of ['train', 'val'] as const) {
      for (const file of readdirSync(`${root}/${subject}/${split}`)) {
        const result = await analyzeImage(readFileSync(`${root}/${subject}/${split}/${file}`), { model, vision, ...options });
        const face = result.faces[0];
        const key = `${result.mode}/${face?.alignment ?? 'no-face'}`;
        how[key] = (how[key] ?? 0) + 1;
        if (split === 'val') probes++;
        if (face) sets[split].push({ subject, e: face.embedding });
      }
    }
  }
  let correct = 0;
  for (const probe of sets.val) {
    const nearest = sets.train.reduce((a, b) => (squared(probe.e, a.e) <= squared(probe.e, b.e) ? a : b));
    if (nearest.subject === probe.subject) correct++;
  }
  // A probe without a face counts as wrong.
  summary[name] = Math.round((correct / probes) * 1000) / 1000;
  console.log(JSON.stringify({ variant: name, model: model.id, probes, correct, accuracy: summary[name], how }));
}
console.log(JSON.stringify(summary));
