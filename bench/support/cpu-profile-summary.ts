// `npx tsx bench/support/cpu-profile-summary.ts DIR [--top 25]`: where the CPU time of each V8
// profile in DIR (as written by `bench:identify --profile DIR`: one file per thread) went.
// Every sample is charged to the innermost frame that belongs to a package (node_modules/<pkg>)
// or a source folder (src/<folder>); samples with only Node internals are charged to the leaf.
// With the server-window.json bench:identify writes beside the profiles, only samples taken while
// the server requests were measured count (not start-up, calibration or enrollment), and the
// times are also given per request. Also prints the inclusive time of the stages the identify path is made of, so a change can be
// judged by "ms of main-thread CPU per request" rather than by a guess.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });

interface Window {
  windows: [number, number][];
  requests: number;
}

/** Inclusive stages: a sample counts for a stage when any frame of its stack matches. */
const STAGES: [string, (f: CallFrame) => boolean][] = [
  ['analyze (whole pipeline call)', (f) => /src\/vision\//.test(f.url) && /analyze/i.test(f.functionName)],
  ['decode (sharp)', (f) => f.url.includes('/src/vision/decode.ts')],
  ['detect', (f) => f.url.includes('/src/vision/detect.ts')],
  ['landmarks + align + quality', (f) => /src\/vision\/(landmarks|align|warp|quality|similarity)\.ts/.test(f.url)],
  ['embed (tensor + normalise)', (f) => f.url.includes('/src/embedding/')],
  ['onnxruntime run', (f) => f.url.includes('onnxruntime')],
  ['worker messaging', (f) => f.url.includes('node:internal/worker') || f.functionName === 'postMessage'],
  ['base64 → bytes (imageBytes)', (f) => f.functionName === 'imageBytes'],
  ['request body read', (f) => f.url.includes('/src/http/read-body.ts')],
  ['JSON.parse', (f) => f.functionName === 'parse' && f.url === ''],
  ['JSON.stringify', (f) => f.functionName === 'stringify' && f.url === ''],
  ['graphql parse/validate', (f) => /node_modules\/graphql\/(language|validation)\//.test(f.url)],
  ['graphql execute', (f) => /node_modules\/graphql\/execution\//.test(f.url)],
  ['authentication + limits', (f) => /src\/(auth|limits|quotas)\//.test(f.url) || f.url.includes('rate-limiter-flexible')],
  ['gallery search (faiss)', (f) => f.url.includes('/src/gallery/') || f.url.includes('faiss-node')],
  ['event insert', (f) => /src\/(events)\//.test(f.url) || (f.url.includes('/src/db/event-repository.ts'))],
  ['database driver (pg, prisma)', (f) => /node_modules\/(pg|pg-protocol|pg-pool|@prisma)\//.test(f.url)],
  ['logging (pino)', (f) => f.url.includes('node_modules/pino')],
  ['metrics (prom-client)', (f) => f.url.includes('prom-client')],
];

function owner(f: CallFrame): string | undefined {
  if (f.url === '' && f.functionName.startsWith('(')) return f.functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f.url);
  if (pkg) return pkg[1];
  const src = /\/src\/([^/]+)\//.exec(f.url) ?? /\/(src|bench)\/[^/]+$/.exec(f.url);
  if (src) return `src/${src[1]}`;
  return undefined;
}

function summarise(file: string, window: Window | undefined): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = new Map<number, CallFrame[]>();
  const stack = (id: number): CallFrame[] => {
    let s = stackOf.get(id);
    if (!s) {
      s = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) s.push(byId.get(at)!.callFrame);
      stackOf.set(id, s);
    }
    return s;
  };
  const self = new Map<string, number>();
  const stages = new Map<string, number>();
  let busy = 0;
  let at = profile.startTime;
  let counted = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && !window.windows.some(([from, to]) => at >= from && at <= to)) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    counted += ms;
    const frames = stack(id);
    const leaf = frames[0]!;
    const who = frames.map(owner).find((o) => o !== undefined && o !== '(root)') ?? `node: ${leaf.functionName || '(anonymous)'} ${leaf.url.replace(/^node:/, '')}`;
    self.set(who, (self.get(who) ?? 0) + ms);
    if (who !== '(idle)') busy += ms;
    for (const [name, match] of STAGES) if (frames.some(match)) stages.set(name, (stages.get(name) ?? 0) + ms);
  });
  const wall = window ? counted : (profile.endTime - profile.startTime) / 1000;
  const perRequest = window?.requests;
  const fmt = (ms: number) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / busy).toFixed(1).padStart(5)} %${perRequest ? `  ${(ms / perRequest).toFixed(2).padStart(6)} ms/request` : ''}`;
  console.log(`\n== ${path.basename(file)}: wall ${(wall / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(1)} s (idle excluded from %)`);
  for (const [who, ms] of [...self].filter(([w]) => w !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`  ${who.padEnd(48)} ${fmt(ms)}`);
  console.log('  -- inclusive stages');
  for (const [name] of STAGES) if (stages.get(name)) console.log(`  ${name.padEnd(48)} ${fmt(stages.get(name)!)}`);
}

const dir = positionals[0];
if (!dir) throw new Error('usage: cpu-profile-summary.ts DIR [--top N]');
const windowFile = path.join(dir, 'server-window.json');
const window = existsSync(windowFile) ? (JSON.parse(readFileSync(windowFile, 'utf8')) as Window) : undefined;
if (window) console.log(`measured server windows only: ${window.windows.length}, ${window.requests} requests`);
for (const f of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) summarise(path.join(dir, f), window);
