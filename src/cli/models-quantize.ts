import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FACE_ARCFACE_FILE, FACE_ARCFACE_INT8_FILE } from '../embedding/index.js';
import { FACE_ARCFACE_SPEC } from '../embedding/face-arcface.js';
import type { RangeMethod } from '../embedding/quantize/activation-ranges.js';
import { calibrationFaces } from '../vision/calibration-faces.js';
import { quantizeModel } from '../embedding/quantize/quantize-model.js';
import { createVision } from '../vision/index.js';

const USAGE = `usage: npm run models:quantize -- [--faces DIR] [--models-dir models] [--out FILE]
       [--max-faces 200] [--method mean-minmax|minmax] [--fp32-convs 0,-1] [--keep-prelu]
Writes a per-channel int8 (QDQ) copy of fr_feature.onnx (model id face-arcface-512-int8),
calibrated on the aligned faces found in the photos under --faces (default
../shared/datasets/scenes/with_dev_identities: other photos of some faces-dev people, none of
the photos that npm run eval is reported on). --fp32-convs keeps those
convolutions (index among the Convs, negative from the end) in fp32. --keep-prelu leaves the
PRelus in fp32 instead of rewriting them as Relus (exact; see src/embedding/quantize/).`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      faces: { type: 'string', default: '../shared/datasets/scenes/with_dev_identities' },
      'models-dir': { type: 'string', default: 'models' },
      out: { type: 'string' },
      'max-faces': { type: 'string', default: '200' },
      // mean-minmax kept ORL rank-1 at 1.000 where minmax lost one probe of 200 (README, int8).
      method: { type: 'string', default: 'mean-minmax' },
      'fp32-convs': { type: 'string', default: '' },
      'keep-prelu': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const method = values.method as RangeMethod;
  if (method !== 'minmax' && method !== 'mean-minmax') throw new Error(`--method must be minmax or mean-minmax, got ${values.method}`);
  const fp32Convs = values['fp32-convs']!.split(',').filter((s) => s.trim() !== '').map(Number);
  if (fp32Convs.some((n) => !Number.isInteger(n))) throw new Error(`--fp32-convs must be whole numbers, got ${values['fp32-convs']}`);
  const modelsDir = values['models-dir']!;
  const out = values.out ?? join(modelsDir, FACE_ARCFACE_INT8_FILE);

  const started = performance.now();
  const faces = await calibrationFaces(values.faces!, FACE_ARCFACE_SPEC, createVision({ modelsDir }), Number(values['max-faces']));
  const fp32 = await readFile(join(modelsDir, FACE_ARCFACE_FILE));
  const int8 = await quantizeModel(fp32, faces, [1, 3, FACE_ARCFACE_SPEC.inputSize, FACE_ARCFACE_SPEC.inputSize], { method, fp32Convs, keepPRelu: values['keep-prelu'] });
  // Written aside and renamed, so a server never loads half a file.
  await writeFile(`${out}.tmp`, int8);
  await rename(`${out}.tmp`, out);
  const summary = { out, calibrationFaces: faces.length, facesDir: values.faces, method, fp32Convs, keepPRelu: values['keep-prelu'], fp32Bytes: fp32.length, int8Bytes: int8.length, ms: Math.round(performance.now() - started) };
  console.log(JSON.stringify(summary));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
