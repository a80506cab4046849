import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { createModelRegistry } from '../embedding/index.js';
import { calibrations, inferenceSettings } from '../inference/index.js';
import { calibrationTable } from '../inference/calibration-table.js';
import { checkModels, type ModelStatus } from '../vision/index.js';

const USAGE = `usage: npm run models:check -- [--models-dir DIR] [--clip-model FILE] [--json] [--fresh]
Reports which models are present and loadable, and the ONNX Runtime settings calibrated for each
on this machine (--fresh measures again instead of reading VISAGE_ORT_CALIBRATION_FILE); exits 1
when a required model is not loadable.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'models-dir': { type: 'string', default: 'models' },
      'clip-model': { type: 'string' },
      json: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const modelsDir = values['models-dir']!;
  const session = inferenceSettings(loadConfig(), { fresh: values.fresh! });
  const registry = createModelRegistry({ modelsDir, ...session, ...(values['clip-model'] ? { clipModelPath: values['clip-model'] } : {}) });
  const statuses = await checkModels(registry, modelsDir, session);
  if (values.json) console.log(JSON.stringify({ models: statuses, calibrations: calibrations() }, null, 2));
  else {
    for (const s of statuses) console.log(describe(s));
    console.log(`\n${calibrationTable(calibrations())}`);
  }
  const blocking = statuses.filter((s) => s.required && s.state !== 'ready');
  if (blocking.length > 0) {
    console.error(`\n${blocking.length} required model(s) unavailable: run scripts/fetch-models.sh (see README).`);
    process.exitCode = 1;
  }
}

function describe(s: ModelStatus): string {
  const head = `${s.state.toUpperCase().padEnd(15)} ${s.id.padEnd(18)} ${s.role}`;
  switch (s.state) {
    case 'ready':
    case 'missing':
      return `${head}\n${' '.repeat(16)}${s.file}`;
    case 'broken':
      return `${head}\n${' '.repeat(16)}${s.file}: ${s.error}`;
    case 'not-configured':
      return `${head}\n${' '.repeat(16)}${s.hint}`;
    default: {
      const unknown: never = s;
      return String(unknown);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exitCode = 1;
});
