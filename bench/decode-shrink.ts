// `npm run bench:decode-shrink [-- 1024]`: how much shrink-on-load decoding (VISAGE_DECODE_MAX_SIDE)
// moves the embedding of the faces-dev photos larger than the given side: per photo, the L2
// distance between the face embedded from the full decode and from the shrunk one (same-person
// distances sit below 1.0, the default threshold is 1.05). Last line: one JSON object.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { createModelRegistry } from '../src/embedding/index.js';
import { analyzeImage, createVision } from '../src/vision/index.js';
import { facesDevPeople } from '../test/support/datasets.js';
const modelsDir = './models';
const threads = { intraOpThreads: 1, inferenceWorkers: 0 };
const model = await createModelRegistry({ modelsDir, ...threads }).get('face-arcface-512');
const vision = createVision({ modelsDir, ...threads });
const side = Number(process.argv[2] ?? 1024);
const dists: number[] = []; let lost = 0, n = 0;
for (const p of facesDevPeople(1)) for (const f of p.files) {
  const m = await sharp(f).metadata(); if (Math.max(m.width!, m.height!) <= side) continue;
  const bytes = readFileSync(f);
  const full = await analyzeImage(bytes, { model, vision, maxFaces: 1 });
  const small = await analyzeImage(bytes, { model, vision, maxFaces: 1, limits: { maxBytes: 50e6, maxPixels: 40e6, maxSide: side } });
  n++;
  if (!full.faces[0] || !small.faces[0]) { if (full.faces[0]) lost++; continue; }
  const a = full.faces[0].embedding, b = small.faces[0].embedding; let s = 0; for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  dists.push(Math.sqrt(s));
}
dists.sort((x, y) => x - y);
console.log(JSON.stringify({ maxSide: side, images: n, faceLost: lost, medianL2: dists[Math.floor(dists.length / 2)]?.toFixed(3), maxL2: dists.at(-1)?.toFixed(3) }));
