import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createModelRegistry } from '../embedding/index.js';
import { analyzeImage, createVision, decodeImage, drawFaces } from '../vision/index.js';

const USAGE = `usage: npm run detect -- <image> [--draw out.png] [--cropped] [--pose] [--model ID] [--models-dir DIR]
             [--min-score N] [--min-face-size PX] [--clip-model FILE]
Prints the faces found as JSON (embeddings shortened to their first values).`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      draw: { type: 'string' },
      cropped: { type: 'boolean', default: false },
      pose: { type: 'boolean', default: false },
      model: { type: 'string' },
      'models-dir': { type: 'string', default: 'models' },
      'clip-model': { type: 'string' },
      'min-score': { type: 'string' },
      'min-face-size': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (values.help || !file) {
    console.error(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const modelsDir = values['models-dir']!;
  const registry = createModelRegistry({ modelsDir, ...(values['clip-model'] ? { clipModelPath: values['clip-model'] } : {}) });
  const vision = createVision({ modelsDir });
  const bytes = await readFile(file);
  const result = await analyzeImage(bytes, {
    model: await registry.get(values.model),
    vision,
    cropped: values.cropped!,
    pose: values.pose!,
    ...(values['min-score'] ? { minScore: Number(values['min-score']) } : {}),
    ...(values['min-face-size'] ? { minFaceSize: Number(values['min-face-size']) } : {}),
  });
  const round = (n: number) => Math.round(n * 100) / 100;
  console.log(
    JSON.stringify(
      {
        file,
        width: result.width,
        height: result.height,
        mode: result.mode,
        faceCount: result.faces.length,
        faces: result.faces.map((f) => ({
          box: { x: round(f.box.x), y: round(f.box.y), width: round(f.box.width), height: round(f.box.height) },
          detectionScore: round(f.detectionScore),
          landmarks: f.landmarks.map(([x, y]) => [round(x), round(y)]),
          alignment: f.alignment,
          quality: Object.fromEntries(Object.entries(f.quality).map(([k, v]) => [k, round(v)])),
          modelId: f.modelId,
          embeddingDim: f.embedding.length,
          embeddingHead: Array.from(f.embedding.slice(0, 4), (v) => Math.round(v * 1e4) / 1e4),
        })),
        timingsMs: Object.fromEntries(Object.entries(result.timingsMs).map(([k, v]) => [k, round(v)])),
      },
      null,
      2,
    ),
  );
  if (values.draw) {
    const image = await decodeImage(bytes);
    const drawn = drawFaces(image, result.faces);
    await sharp(drawn.data, { raw: { width: drawn.width, height: drawn.height, channels: 3 } }).png().toFile(values.draw);
    console.error(`wrote ${values.draw}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
