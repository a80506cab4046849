// `npm run bench:request-cost [-- --requests 600 --port 4481 --database-url URL]`
// What the server's main thread spends per request, by request shape, at concurrency 8 (CPU from
// /proc, so time spent waiting for a core is not counted): an authenticated query that does no work,
// an identify of a tiny image with no face (the use case's own round trips and the worker hand-off,
// no search), an identify of a ~400 KB base64 body with no face (the same plus the body), and the
// same image sent as a multipart file part (README, "Sending images as files"). Then,
// in this process, what each step on a body of that size costs and how many pages it touches for
// the first time (minor faults), since fresh pages are what large JSON strings cost on a VM.
// The last stdout line is one JSON object of those figures.
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { startBenchServer } from './support/bench-server.js';
import { createGraphQLPoster, graphqlBody, multipartBody, type MultipartBody } from './support/graphql-poster.js';
import { cpuMs } from './support/proc-cpu.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '600' },
    port: { type: 'string', default: '4481' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const n = Number(args.requests);
const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** A JPEG of noise (no face), `side` pixels square: incompressible, so its base64 is large. */
async function noiseJpegBase64(side: number): Promise<string> {
  const pixels = Buffer.alloc(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  return (await sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 95 }).toBuffer()).toString('base64');
}

const minorFaults = () => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[7]);

/** ms and first-touch page faults per call of `fn`, after a warm-up. */
function step(fn: () => unknown, reps = 200): { ms: number; faults: number } {
  for (let i = 0; i < 20; i++) fn();
  const [faults, started] = [minorFaults(), performance.now()];
  for (let i = 0; i < reps; i++) fn();
  return { ms: +((performance.now() - started) / reps).toFixed(3), faults: Math.round((minorFaults() - faults) / reps) };
}

async function main() {
  // The limits would refuse a benchmark's rate; they are measured by bench:identify's counters.
  const server = await startBenchServer({ databaseUrl: args['database-url']!, port: args.port!, env: { VISAGE_RATE_KEY_PER_SECOND: '1000000', VISAGE_RATE_TENANT_PER_SECOND: '1000000' } });
  try {
    const { createTenant } = await server.gql('mutation($i: CreateTenantInput!) { createTenant(input: $i) { secret } }', { i: { name: 'cost', slug: 'cost' } }, server.admin);
    const token = createTenant.secret as string;
    const { pid } = server;
    const poster = createGraphQLPoster(`http://127.0.0.1:${args.port}/graphql`);
    const mainMsPerRequest = async (body: Buffer | MultipartBody, count: number) => {
      for (let i = 0; i < 30; i++) await poster.post(body, token);
      const before = cpuMs(pid, pid);
      let next = 0;
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next++ < count) await poster.post(body, token);
      }));
      return +((cpuMs(pid, pid) - before) / count).toFixed(2);
    };
    const identify = 'mutation($i: IdentifyInput!) { identify(input: $i) { faces { decision } } }';
    const tiny = (await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } }).jpeg().toBuffer()).toString('base64');
    const big = await noiseJpegBase64(600);
    const query = await mainMsPerRequest(graphqlBody('{ viewer { tenant { id } } }', {}), n * 2);
    const tinyIdentify = await mainMsPerRequest(graphqlBody(identify, { i: { image: { data: tiny } } }), n);
    const bigIdentify = await mainMsPerRequest(graphqlBody(identify, { i: { image: { data: big } } }), Math.ceil(n / 2));
    const bigUpload = await mainMsPerRequest(multipartBody(identify, { i: { image: { file: null } } }, [{ path: 'variables.i.image.file', bytes: Buffer.from(big, 'base64') }]), Math.ceil(n / 2));
    poster.close();
    log(`server main thread per request: query ${query} ms, identify of a 64 px image ${tinyIdentify} ms, identify of a ${Math.round(big.length / 1024)} KB body ${bigIdentify} ms, the same image as a multipart file ${bigUpload} ms`);

    // The steps the server takes on such a body before the worker gets the bytes (src/http, src/vision).
    const raw = graphqlBody(identify, { i: { image: { data: big } } });
    const chunks: Buffer[] = [];
    for (let i = 0; i < raw.length; i += 65536) chunks.push(raw.subarray(i, i + 65536));
    const text = raw.toString('latin1');
    const data = (JSON.parse(text) as { variables: { i: { image: { data: string } } } }).variables.i.image.data;
    const steps = {
      concatChunks: step(() => Buffer.concat(chunks)),
      isAscii: step(() => isAscii(raw)),
      latin1Text: step(() => raw.toString('latin1')),
      jsonParse: step(() => JSON.parse(text)),
      base64Decode: step(() => Buffer.from(data, 'base64')),
    };
    log(`per ${Math.round(raw.length / 1024)} KB body, in this process: ${Object.entries(steps).map(([k, v]) => `${k} ${v.ms} ms (${v.faults} faults)`).join(', ')}`);
    console.log(JSON.stringify({ bodyKb: Math.round(raw.length / 1024), mainMsPerRequest: { query, tinyIdentify, bigIdentify, bigUpload }, bodySteps: steps }));
  } finally {
    await server.stop();
  }
}

await main();
