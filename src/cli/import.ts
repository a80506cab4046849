import { parseArgs } from 'node:util';
import { createApiClient, ApiError } from './api-client.js';
import { formatSummary } from './import/format-summary.js';
import { ImportProgress } from './import/progress.js';
import { DEFAULT_IMPORT_OPTIONS, runImport } from './import/run-import.js';
import { scanFolder } from './import/scan-folder.js';

const USAGE = `usage: VISAGE_API_KEY=<tenant ADMIN or OPERATOR key> VISAGE_URL=<server> \\
  npm run import -- --tenant <slug> --data <dir> [--largest-face] [--json]

  --data DIR       one folder per person (the folder name becomes the externalId), either
                   <person>/train/* (the paper's layout; val/ is not imported) or <person>/*.
                   .jpg .jpeg .png .webp are photos; .mp4 .webm .mov are enrolled as videos.
  --tenant SLUG    the tenant the key must belong to (checked before anything is sent)
  --largest-face   enroll the largest face of a photo with several, instead of rejecting it
  --json           print the summary as JSON instead of text
Re-running on the same folder adds nothing twice (existing photos come back as DUPLICATE).`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        tenant: { type: 'string' },
        data: { type: 'string' },
        'largest-face': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        cropped: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.cropped) {
    // Pre-cropped faces (ORL-style) need the pipeline's no-detection path, which the GraphQL
    // enrollment API does not expose; uploading them would only produce NO_FACE rejections.
    process.stderr.write('--cropped is not supported yet: the server has no enrollment path for pre-cropped faces.\n');
    return 2;
  }
  // A CLI reads its own two variables here, at its entry point; the server's config module is
  // for the server.
  const apiKey = process.env.VISAGE_API_KEY;
  const server = process.env.VISAGE_URL;
  if (!values.tenant || !values.data || !apiKey || !server) {
    process.stderr.write(`--tenant, --data, VISAGE_API_KEY and VISAGE_URL are required\n${USAGE}\n`);
    return 2;
  }

  const gql = createApiClient(server, apiKey);
  const { viewer } = await gql<{ viewer: { role: string; tenant: { slug: string } } | null }>('{ viewer { role tenant { slug } } }');
  if (!viewer) throw new ApiError('VISAGE_API_KEY is not a tenant API key', 'UNAUTHENTICATED');
  if (viewer.tenant.slug !== values.tenant) throw new ApiError(`The API key belongs to tenant "${viewer.tenant.slug}", not "${values.tenant}"`, 'FORBIDDEN');

  const plan = await scanFolder(values.data);
  const files = plan.people.reduce((n, p) => n + p.images.length + p.videos.length, 0);
  const summary = await runImport(gql, plan, { ...DEFAULT_IMPORT_OPTIONS, largestFaceOnly: values['largest-face']! }, new ImportProgress(plan.people.length, files));
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
  return summary.errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const code = err instanceof ApiError ? ` (${err.code})` : '';
    process.stderr.write(`import failed${code}: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
