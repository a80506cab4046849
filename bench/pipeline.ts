/**
 * Pipeline benchmark: the whole decode → detect → align → embed chain over the faces-dev photos.
 * Prints per-stage medians (after warm-up) and, as its LAST line, one JSON object:
 * {"decodeMs","detectMs","alignMs","embedMs","perImageMs","perFaceMs","images","faces","calibration"}.
 * The line before it gives the same medians for single-face photos of at most 1 MP, the case
 * the ≤ 25 ms per-face target is stated for.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { createModelRegistry } from '../src/embedding/index.js';
import { calibrationSummary, inferenceSettings } from '../src/inference/index.js';
import { analyzeImage, createVision } from '../src/vision/index.js';
import { listImages } from '../src/vision/list-images.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: fileURLToPath(new URL('../../shared/datasets/faces-dev', import.meta.url)) },
    'models-dir': { type: 'string', default: fileURLToPath(new URL('../models', import.meta.url)) },
    model: { type: 'string' },
    /** Pin intra-op threads / graph level instead of calibrating them (VISAGE_ORT_*). */
    'ort-threads': { type: 'string' },
    'graph-level': { type: 'string' },
    flip: { type: 'boolean', default: false },
    spinning: { type: 'boolean', default: false },
    /** Inference worker threads (0 = on the main thread). */
    workers: { type: 'string', default: '0' },
    warmup: { type: 'string', default: '5' },
    /** Requests in flight at once, as a busy server sees them; throughput is reported too. */
    concurrency: { type: 'string', default: '1' },
  },
});

const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return Math.round((s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2) * 100) / 100;
};

interface Sample {
  decode: number;
  detect: number;
  align: number;
  embed: number;
  total: number;
  faces: number;
  pixels: number;
}

function summarise(samples: Sample[]) {
  const withFaces = samples.filter((s) => s.faces > 0);
  return {
    decodeMs: median(samples.map((s) => s.decode)),
    detectMs: median(samples.map((s) => s.detect)),
    alignMs: median(withFaces.map((s) => s.align)),
    embedMs: median(withFaces.map((s) => s.embed)),
    perImageMs: median(samples.map((s) => s.total)),
    perFaceMs: median(withFaces.map((s) => s.total / s.faces)),
    images: samples.length,
    faces: samples.reduce((n, s) => n + s.faces, 0),
  };
}

const config = loadConfig({
  ...process.env,
  VISAGE_INFERENCE_WORKERS: values.workers,
  ...(values['ort-threads'] ? { VISAGE_ORT_THREADS: values['ort-threads'] } : {}),
  ...(values['graph-level'] ? { VISAGE_ORT_GRAPH_LEVEL: values['graph-level'] } : {}),
});
const threads = { ...inferenceSettings(config), allowSpinning: values.spinning };
const modelsDir = values['models-dir']!;
const registry = createModelRegistry({ modelsDir, ...threads, flip: { [values.model ?? 'face-arcface-512']: values.flip! } });
const model = await registry.get(values.model);
const vision = createVision({ modelsDir, ...threads });
const files = listImages(values.dir!);
const photos = files.map((f) => readFileSync(f));

for (const bytes of photos.slice(0, Number(values.warmup))) await analyzeImage(bytes, { model, vision });

const samples: Sample[] = [];
let next = 0;
const started = performance.now();
async function worker(): Promise<void> {
  while (next < photos.length) {
    const bytes = photos[next++]!;
    const r = await analyzeImage(bytes, { model, vision });
    samples.push({ ...r.timingsMs, faces: r.faces.length, pixels: r.width * r.height });
  }
}
await Promise.all(Array.from({ length: Math.max(1, Number(values.concurrency)) }, worker));
const imagesPerSecond = Math.round((photos.length / ((performance.now() - started) / 1000)) * 10) / 10;

const small = samples.filter((s) => s.faces === 1 && s.pixels <= 1_000_000);
console.log(JSON.stringify({ subset: 'single-face photos <= 1 MP', model: model.id, flip: model.flip, calibration: calibrationSummary(), spinning: threads.allowSpinning, workers: threads.inferenceWorkers, concurrency: Number(values.concurrency), imagesPerSecond, ...summarise(small) }));
console.log(JSON.stringify({ ...summarise(samples), calibration: calibrationSummary() }));
