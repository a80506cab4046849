import { fork, type ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import type { FaceBatch } from '../db/face-index-source.js';
import type { BuildReply, BuildRequest } from './build-process.js';
import { readFaissIndex } from './read-faiss-index.js';
import { gather, TenantIndex, type TenantIndexOptions } from './tenant-index.js';

export interface BuiltIndex {
  index: TenantIndex;
  /** The id map as built (before any catch-up), matching the FAISS index in `file`. */
  labelFace: string[];
  labelPerson: string[];
  dim: number;
  /** CPU time the build child used (all its threads). */
  cpuMs: number;
}

/**
 * How much lower the build child's CPU priority is than this process's. faiss's OpenMP threads
 * take every core; under request load the event loop should win them, not queue behind the
 * build, which still has every core while the server is idle. (On the shared 2-core dev machine
 * the bench's p99 lag during a 100k build was 9.4-24 ms with or without it, set by other load.)
 */
const BUILD_NICE_STEPS = 10;

/** Vectors per faiss add in the child: enough for OpenMP to keep every core busy per call. */
const CHILD_ADD_CHUNK = 8192;

/**
 * Builds an HNSW index of `batches` in a child process, off this event loop and on all cores:
 * this process streams the vectors over and keeps the id map; the child adds them in large
 * chunks (faiss parallelises each add) and writes the finished index to `file`, which this
 * process then reads. The file is left in place: it can become the snapshot.
 */
export async function buildHnswInChild(
  batches: AsyncIterable<FaceBatch>,
  file: string,
  appliedSeq: bigint,
  options: TenantIndexOptions,
  onProgress: (faces: number) => void,
  niceSteps = BUILD_NICE_STEPS,
): Promise<BuiltIndex | null> {
  const labelFace: string[] = [];
  const labelPerson: string[] = [];
  const seen = new Set<string>();
  const child = new BuildChild(niceSteps);
  let dim = 0;
  let cpuMs = 0;
  try {
    for await (const batch of batches) {
      if (batch.faceIds.length === 0) continue;
      if (dim === 0) {
        dim = batch.dim;
        await child.request({ type: 'start', dim, hnsw: options.hnsw, chunk: CHILD_ADD_CHUNK });
      }
      const rows = batch.faceIds.flatMap((id, i) => (seen.has(id) ? [] : (seen.add(id), [i])));
      // Structured clone copies a view's whole backing buffer: send only what the batch owns.
      const own = batch.vectors.byteLength === batch.vectors.buffer.byteLength ? batch.vectors : batch.vectors.slice();
      const vectors = rows.length === batch.faceIds.length ? own : gather(batch.vectors, dim, rows);
      for (const row of rows) {
        labelFace.push(batch.faceIds[row]!);
        labelPerson.push(batch.personIds[row]!);
      }
      await child.request({ type: 'add', vectors });
      onProgress(labelFace.length);
    }
    if (dim === 0) return null;
    const done = await child.request({ type: 'finish', path: file });
    if (done.type !== 'done' || done.vectors !== labelFace.length) throw new Error(`HNSW build child wrote ${JSON.stringify(done)} for ${labelFace.length} faces.`);
    cpuMs = done.cpuMs;
  } finally {
    child.stop();
  }
  // Read on the libuv pool: only wrapping the result happens on this thread.
  const built = await readFaissIndex(file, 'hnsw');
  const index = await TenantIndex.restore('hnsw', appliedSeq, { faiss: built, dim, labelFace, labelPerson, dead: [] }, options);
  return { index, labelFace, labelPerson, dim, cpuMs };
}

/** One child process answering requests in order. */
class BuildChild {
  private readonly child: ChildProcess;
  private waiting: { resolve: (reply: BuildReply) => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(niceSteps: number) {
    this.child = spawnBuildProcess(niceSteps);
    this.child.on('message', (reply: BuildReply) => {
      const waiting = this.waiting;
      this.waiting = null;
      if (reply.type === 'error') waiting?.reject(new Error(`HNSW build child: ${reply.message}`));
      else waiting?.resolve(reply);
    });
    this.child.on('exit', (code, signal) => {
      this.failure = new Error(`HNSW build child exited (${signal ?? code}).`);
      this.waiting?.reject(this.failure);
      this.waiting = null;
    });
  }

  request(request: BuildRequest): Promise<BuildReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.child.send(request);
    });
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** Under tsx the sources are .ts and the child needs the loader; compiled, it runs the .js. */
function spawnBuildProcess(niceSteps: number): ChildProcess {
  const here = import.meta.url;
  const typescript = here.endsWith('.ts');
  const entry = new URL(typescript ? './build-process.ts' : './build-process.js', here);
  const child = fork(entry, [], {
    execArgv: typescript ? ['--import', import.meta.resolve('tsx')] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Before its first add, so every OpenMP thread it starts inherits the priority. Lowering is
  // always allowed; a child already gone is reported by its exit handler.
  try {
    if (child.pid !== undefined) setPriority(child.pid, Math.min(19, getPriority() + niceSteps));
  } catch {
    // The build runs at this process's priority.
  }
  return child;
}
