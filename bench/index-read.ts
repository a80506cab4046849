/**
 * npm run bench:index-read -- [--size 300000] [--m 32] [--efc 16] [--keep]
 *
 * What reading a finished HNSW index costs this event loop: the lag (p99 and max, sampled as
 * bench:index samples it) while a --size HNSW file is read, before and after issue 16's change:
 * faiss-node's synchronous `Index.read` against the patched `readAsync` (read on the libuv pool),
 * the same for a snapshot's FAISS write (`write` against `writeAsync`),
 * and the snapshot's id map as one JSON.parse (format 1) against JSON lines parsed with the loop
 * running in between (format 2); TenantIndex.restore (the face lookup, built in turns). First of all,
 * readSnapshot of the whole snapshot as the server loads it.
 * The index is built here once, with a low --efc (the build's beam changes the build time, not
 * what is read), on random unit vectors; --keep leaves it in the temp directory for the next run.
 * The last stdout line is JSON.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import faiss from 'faiss-node';
import { DEFAULT_TENANT_INDEX_OPTIONS, TenantIndex } from '../src/gallery/index.js';
import { createHnswIndex } from '../src/gallery/faiss-buffers.js';
import { readFaissIndex } from '../src/gallery/read-faiss-index.js';
import { finishSnapshot, readSnapshot } from '../src/gallery/snapshot-file.js';
import { decodeSnapshotIdMap, encodeSnapshotIdMap } from '../src/gallery/snapshot-id-map.js';
import { DIM, rng } from './support/synthetic-faces.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '300000' },
    m: { type: 'string', default: '32' },
    efc: { type: 'string', default: '16' },
    keep: { type: 'boolean', default: false },
  },
});
const size = Number(args.size);
const hnsw = { m: Number(args.m), efConstruction: Number(args.efc), efSearch: 64 };
const CHUNK = 8192;

const collect = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
};

/** Builds (once) an HNSW index of `size` random unit vectors and writes it to a temp file. */
function hnswFile(): string {
  const file = path.join(tmpdir(), `visage-bench-index-read-${size}-hnsw${hnsw.m}-efc${hnsw.efConstruction}.faiss`);
  if (existsSync(file)) return file;
  const random = rng(1);
  const index = createHnswIndex(DIM, hnsw);
  const started = performance.now();
  for (let at = 0; at < size; at += CHUNK) {
    const rows = Math.min(CHUNK, size - at);
    const vectors = new Float32Array(rows * DIM);
    for (let r = 0; r < rows; r++) {
      const row = vectors.subarray(r * DIM, (r + 1) * DIM);
      let norm = 0;
      for (let i = 0; i < DIM; i++) norm += (row[i] = random() - 0.5) ** 2;
      for (let i = 0; i < DIM; i++) row[i]! /= Math.sqrt(norm);
    }
    index.add(vectors);
  }
  index.write(`${file}.tmp`);
  renameSync(`${file}.tmp`, file);
  console.log(`built HNSW${hnsw.m} (efConstruction ${hnsw.efConstruction}) of ${size} in ${Math.round(performance.now() - started)} ms: ${file}`);
  return file;
}

interface Measured {
  ms: number;
  cpuMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

/** Runs `op` with this loop's lag sampled meanwhile; CPU time counts every thread (libuv pool too). */
async function measure(name: string, op: () => unknown): Promise<Measured> {
  collect();
  // Finalizers of the last step's objects (a freed index) run before sampling starts.
  await sleep(200);
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  await sleep(20);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await op();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  // One more turn, so that a loop blocked until the end is sampled.
  await sleep(20);
  lag.disable();
  const result = { ms: round(ms), cpuMs: round((used.user + used.system) / 1000), lagP99Ms: round(lag.percentile(99) / 1e6), lagMaxMs: round(lag.max / 1e6) };
  console.log(`${name}: ${result.ms} ms (${result.cpuMs} ms CPU), event-loop lag p99 ${result.lagP99Ms} ms, max ${result.lagMaxMs} ms`);
  return result;
}

const round = (x: number): number => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const file = hnswFile();
  const snapshot = path.join(tmpdir(), `visage-bench-index-read-${randomUUID()}.snap`);
  try {
    const idMap = {
      labelFace: Array.from({ length: size }, () => randomUUID()),
      labelPerson: Array.from({ length: size }, () => randomUUID()),
      dead: [] as number[],
    };
    copyFileSync(file, snapshot);
    const header = await finishSnapshot(snapshot, 'bench', 'hnsw', 0n, DIM, idMap);
    // First, while this process holds no more than a server would.
    let kept: unknown = null;
    const snapshotRead = await measure(`readSnapshot (${header.faissBytes + header.idMapBytes} B)`, async () => (kept = await readSnapshot(snapshot, 'bench', DEFAULT_TENANT_INDEX_OPTIONS)));
    kept = null;
    const idMapJson = Buffer.from(JSON.stringify(idMap));
    const idMapLines = await encodeSnapshotIdMap(idMap);

    const indexSync = await measure('Index.read (sync)', () => (kept = faiss.Index.read(file)));
    kept = null;
    const indexAsync = await measure('readFaissIndex (readAsync)', async () => (kept = await readFaissIndex(file, 'hnsw')));
    const index = kept as Awaited<ReturnType<typeof readFaissIndex>>;
    const copy = `${snapshot}.faiss`;
    const writeSync = await measure('Index.write (sync)', () => index.write(copy));
    rmSync(copy);
    const writeAsync = await measure('writeAsync', () => index.writeAsync(copy));
    rmSync(copy);
    const restore = await measure('TenantIndex.restore (id map to lookup)', () => TenantIndex.restore('hnsw', 0n, { faiss: index, dim: DIM, ...idMap }));
    kept = null;
    const idMapSync = await measure(`id map JSON.parse (${idMapJson.length} B)`, () => (kept = JSON.parse(idMapJson.toString())));
    kept = null;
    const idMapChunked = await measure(`id map JSON lines (${idMapLines.length} B)`, async () => (kept = await decodeSnapshotIdMap(idMapLines, size, 0)));
    kept = null;
    void kept;
    console.log(JSON.stringify({ size, faissBytes: header.faissBytes, idMapBytes: header.idMapBytes, indexSync, indexAsync, writeSync, writeAsync, restore, idMapSync, idMapChunked, snapshotRead }));
  } finally {
    rmSync(snapshot, { force: true });
    rmSync(`${snapshot}.faiss`, { force: true });
    if (!args.keep) rmSync(file, { force: true });
  }
}

await main();
