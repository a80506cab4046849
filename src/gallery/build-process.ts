/**
 * Child-process entry of an off-event-loop HNSW build (see hnsw-build.ts for the parent side).
 * A child process, not a worker thread: faiss-node keeps each class's JS constructor in one
 * process-wide static, so loading the addon in a worker thread re-points it at the worker's
 * context and the main thread's next `Index.read` aborts the process (checked on 0.5.1).
 *
 * Protocol (structured clone over IPC): start → ok; add (vectors) → ok; finish (path) → done.
 * Vectors are added in large chunks so that faiss spreads each add over its OpenMP threads.
 */
import type { HnswParams } from './faiss-buffers.js';
import { createHnswIndex, type FaissIndex } from './faiss-buffers.js';

export type BuildRequest =
  | { type: 'start'; dim: number; hnsw: HnswParams; chunk: number }
  | { type: 'add'; vectors: Float32Array }
  | { type: 'finish'; path: string };

export type BuildReply = { type: 'ok'; added: number } | { type: 'done'; vectors: number; cpuMs: number } | { type: 'error'; message: string };

let index: FaissIndex | null = null;
let dim = 0;
let chunk = 0;
let pending: Float32Array[] = [];
let pendingRows = 0;
let added = 0;

function flush(): void {
  if (pendingRows === 0 || index === null) return;
  const all = new Float32Array(pendingRows * dim);
  let at = 0;
  for (const part of pending) {
    all.set(part, at);
    at += part.length;
  }
  pending = [];
  pendingRows = 0;
  // A quantised store learns its per-dimension ranges from the first chunk.
  if (!index.isTrained()) index.train(all);
  index.add(all);
  added = index.ntotal();
}

function handle(request: BuildRequest): BuildReply {
  switch (request.type) {
    case 'start':
      index = createHnswIndex(request.dim, request.hnsw);
      dim = request.dim;
      chunk = request.chunk;
      return { type: 'ok', added: 0 };
    case 'add':
      pending.push(request.vectors);
      pendingRows += request.vectors.length / dim;
      if (pendingRows >= chunk) flush();
      return { type: 'ok', added };
    case 'finish':
      flush();
      if (index === null) throw new Error('finish before start');
      index.write(request.path);
      // CPU time of all its threads: what the build costs, however loaded the machine is.
      const cpu = process.cpuUsage();
      return { type: 'done', vectors: index.ntotal(), cpuMs: (cpu.user + cpu.system) / 1000 };
  }
}

process.on('message', (request: BuildRequest) => {
  let reply: BuildReply;
  try {
    reply = handle(request);
  } catch (error) {
    reply = { type: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  process.send!(reply);
});
// The parent going away ends the build.
process.on('disconnect', () => process.exit(0));
