/**
 * `npm run bench:embed [-- --faces DIR --rounds 40]`: per-face embedding time of the fp32 and the
 * int8 face model, each with the session settings calibration chose for it, on real aligned faces,
 * interleaved face by face so machine load hits both alike. Last line:
 * {"fp32Ms","int8Ms","speedup","faces","calibration"} (medians; speedup = fp32Ms / int8Ms).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { createModelRegistry, FACE_ARCFACE_ID, FACE_ARCFACE_INT8_ID, type FaceCrop } from '../src/embedding/index.js';
import { calibrationSummary, inferenceSettings } from '../src/inference/index.js';
import { analyzeImage, createVision } from '../src/vision/index.js';
import { listImages } from '../src/vision/list-images.js';
import { readFileSync } from 'node:fs';

const { values } = parseArgs({
  options: {
    faces: { type: 'string', default: '../shared/datasets/faces-dev' },
    'models-dir': { type: 'string', default: 'models' },
    rounds: { type: 'string', default: '40' },
  },
});
// One request at a time, in this thread: the embedding alone, not the pool's scheduling.
const session = inferenceSettings(loadConfig({ ...process.env, VISAGE_INFERENCE_WORKERS: '0' }));
const registry = createModelRegistry({ modelsDir: values['models-dir']!, ...session });
const vision = createVision({ modelsDir: values['models-dir']!, ...session });
const fp32 = await registry.get(FACE_ARCFACE_ID);
const int8 = await registry.get(FACE_ARCFACE_INT8_ID);

const crops: FaceCrop[] = [];
const catcher = { ...fp32, embed: async (faces: FaceCrop[]) => (crops.push(...faces), faces.map(() => new Float32Array(fp32.dim))) };
for (const file of listImages(values.faces!).slice(0, 40)) await analyzeImage(readFileSync(file), { model: catcher, vision });

const times = { fp32: [] as number[], int8: [] as number[] };
for (let r = 0; r < Number(values.rounds); r++) {
  const crop = crops[r % crops.length]!;
  for (const [name, model] of r % 2 ? ([['int8', int8], ['fp32', fp32]] as const) : ([['fp32', fp32], ['int8', int8]] as const)) {
    const started = performance.now();
    await model.embed([crop]);
    times[name].push(performance.now() - started);
  }
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fp32Ms = median(times.fp32);
const int8Ms = median(times.int8);
console.log(JSON.stringify({ fp32Ms: +fp32Ms.toFixed(2), int8Ms: +int8Ms.toFixed(2), speedup: +(fp32Ms / int8Ms).toFixed(2), faces: crops.length, calibration: calibrationSummary() }));
