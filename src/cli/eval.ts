import { parseArgs } from 'node:util';
import { badInput, isAppError } from '../errors.js';
import { createApiClient } from './api-client.js';
import { ProgressBar } from './progress-bar.js';
import { applySettings, createPipelineEmbedder, runEvaluation, type ApplyTarget } from '../eval/index.js';

const USAGE = `usage: npm run eval -- --data <dir> [--unknown <dir>] [--model face-arcface-512|clip-vit-b32]
       [--enroll N] [--cropped] [--out <dir>] [--scalability 5,10,25,...]
       [--max-threshold 1.5] [--models-dir models] [--clip-model FILE] [--cropped-fallback PX]
       [--cache-dir .cache/eval | --no-cache] [--seed 1] [--draws 5]
       [--apply <tenantSlug> --server URL --api-key KEY [--apply-point best|balanced]]

<dir> is either the paper's layout (class/train/*, class/val/*) or flat (class/*, with --enroll N:
the first N files of each class in name order are enrolled, the rest are probes).
Writes grid_search_results.csv, best.json, per_class_report.csv, bands.csv, confusion_matrix.png,
pca.png, pr_curve.png (and scalability.csv/.png) to --out (default out/eval).
--apply writes the chosen model, k1, k2 and threshold into the tenant's settings through the
server's GraphQL API (an ADMIN key of that tenant).
The last stdout line is the summary JSON.`;

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badInput(name, `--${name} must be an integer >= 1, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string' },
      unknown: { type: 'string' },
      model: { type: 'string', default: 'face-arcface-512' },
      enroll: { type: 'string' },
      cropped: { type: 'boolean', default: false },
      out: { type: 'string', default: 'out/eval' },
      scalability: { type: 'string' },
      'max-threshold': { type: 'string', default: '1.5' },
      'models-dir': { type: 'string', default: 'models' },
      'clip-model': { type: 'string' },
      'cropped-fallback': { type: 'string', default: '0' },
      'cache-dir': { type: 'string', default: '.cache/eval' },
      'no-cache': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      draws: { type: 'string', default: '5' },
      apply: { type: 'string' },
      server: { type: 'string' },
      'api-key': { type: 'string' },
      'apply-point': { type: 'string', default: 'best' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.data) {
    console.error(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const maxThreshold = Number(values['max-threshold']);
  if (!Number.isFinite(maxThreshold) || maxThreshold < 0.5 || maxThreshold > 2) {
    throw badInput('max-threshold', '--max-threshold must be between 0.5 and 2 (unit-vector L2 distances reach 2)');
  }
  const fallback = Number(values['cropped-fallback']);
  if (!Number.isInteger(fallback) || fallback < 0) throw badInput('cropped-fallback', '--cropped-fallback must be an integer >= 0');
  const scalability = (values.scalability ?? '')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => positiveInt('scalability', s.trim())!);
  const enroll = positiveInt('enroll', values.enroll);
  const point = values['apply-point'];
  if (point !== 'best' && point !== 'balanced') throw badInput('apply-point', '--apply-point must be best or balanced');
  // Checked before the slow part, so a missing flag does not cost a whole evaluation.
  let apply: ApplyTarget | undefined;
  if (values.apply !== undefined) {
    if (!values.server || !values['api-key']) throw badInput('apply', '--apply needs --server URL and --api-key KEY (an ADMIN key of that tenant)');
    // One attempt: a person is waiting at the terminal.
    apply = { tenantSlug: values.apply, graphql: createApiClient(values.server, values['api-key'], 1) };
  }

  const embedder = await createPipelineEmbedder({
    modelsDir: values['models-dir']!,
    modelId: values.model!,
    cropped: values.cropped!,
    croppedFallbackMaxSide: fallback,
    ...(values['clip-model'] ? { clipModelPath: values['clip-model'] } : {}),
  });
  const summary = await runEvaluation(
    {
      data: values.data,
      ...(values.unknown ? { unknown: values.unknown } : {}),
      ...(enroll !== undefined ? { enroll } : {}),
      out: values.out!,
      maxThreshold,
      scalability,
      scalabilityDraws: positiveInt('draws', values.draws)!,
      seed: positiveInt('seed', values.seed)!,
      cacheDir: values['no-cache'] ? null : values['cache-dir']!,
      progress: (total, label) => new ProgressBar(total, label),
    },
    embedder,
    (line) => console.log(line),
  );
  console.log(`wrote ${values.out}/`);
  if (apply) {
    const threshold = point === 'best' ? summary.best.threshold : summary.balanced.threshold;
    const applied = await applySettings(apply, { model: values.model!, k1: summary.best.k1, k2: summary.best.k2, threshold });
    console.log(`applied to tenant ${apply.tenantSlug}: model=${applied.model} k1=${applied.k1} k2=${applied.k2} threshold=${applied.threshold}`);
  }
  console.log(JSON.stringify(summary));
}

main().catch((err: unknown) => {
  if (isAppError(err)) {
    console.error(`${err.code}: ${err.message}`);
    // The registry's hint names the server's environment variables; the command takes flags instead.
    if (err.code === 'MODEL_UNAVAILABLE') console.error('eval: pass --clip-model FILE for clip-vit-b32, or --models-dir DIR for the face models.');
    process.exitCode = err.code === 'BAD_USER_INPUT' ? 2 : 1;
  } else if (typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS')) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(err);
    process.exitCode = 1;
  }
});
