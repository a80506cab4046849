import { parentPort } from 'node:worker_threads';
import type { WorkerErrorReply } from './worker-pool.js';

/**
 * The worker side of a WorkerPool: answers each request with `handle`'s reply (moving the
 * buffers it names) or with an error reply carrying the AppError's code, so a bad image refused
 * in a worker reaches the client with the same code as one refused on the main thread.
 */
export function serveWorker<Req extends { id: number }, Res extends { id: number }>(handle: (request: Req) => Promise<{ reply: Res; transfer?: ArrayBuffer[] }>): void {
  const port = parentPort;
  if (!port) throw new Error('a worker entry must run in a worker thread');
  port.on('message', (request: Req) => {
    void handle(request).then(
      ({ reply, transfer }) => port.postMessage(reply, transfer ?? []),
      (err: unknown) => {
        const e = err as { code?: string; message?: string; details?: Record<string, unknown> };
        port.postMessage({ id: request.id, kind: 'error', code: e.code, message: e.message ?? String(err), details: e.details } satisfies WorkerErrorReply);
      },
    );
  });
}
