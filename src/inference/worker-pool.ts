import { Worker } from 'node:worker_threads';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.js';

/** What every worker answers with when a request fails: the AppError's code survives the thread hop. */
export interface WorkerErrorReply {
  id: number;
  kind: 'error';
  code?: string | undefined;
  message: string;
  details?: Record<string, unknown> | undefined;
}

type Pending<R> = { resolve: (r: R | WorkerErrorReply) => void; reject: (e: Error) => void };

interface Slot<R> {
  worker: Worker;
  pending: Map<number, Pending<R>>;
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

/**
 * A fixed set of worker threads running one entry module (see worker-serve.ts for the other
 * side), each request sent to the least busy one. A dead worker fails its own requests and is
 * replaced, so later requests still have somewhere to run. Used by the per-run inference pool
 * (inference-pool.ts) and by vision's whole-pipeline workers, which is why the entry is a
 * parameter: this layer does not know what the workers run.
 */
export class WorkerPool<Req extends { id: number }, Res extends { id: number; kind: string }> {
  private readonly slots: Slot<Res>[];
  private nextId = 1;

  constructor(
    private readonly entry: URL,
    size: number,
  ) {
    this.slots = Array.from({ length: size }, () => this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** `transfer`: buffers handed to the worker instead of copied; the caller must not touch them again. */
  send(request: DistributiveOmit<Req, 'id'>, transfer: ArrayBuffer[] = []): Promise<Res> {
    return this.sendTo(this.leastBusy(), request, transfer);
  }

  /** The same request to every worker (loading a model everywhere), answers in worker order. */
  broadcast(request: DistributiveOmit<Req, 'id'>): Promise<Res[]> {
    return Promise.all(this.slots.map((slot) => this.sendTo(slot, request, [])));
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private leastBusy(): Slot<Res> {
    return this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private sendTo(slot: Slot<Res>, request: DistributiveOmit<Req, 'id'>, transfer: ArrayBuffer[]): Promise<Res> {
    const id = this.nextId++;
    return new Promise<Res | WorkerErrorReply>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      // A waiting request must keep the process alive; an idle pool must not.
      slot.worker.ref();
      slot.worker.postMessage({ ...request, id }, transfer);
    }).then((reply) => {
      if (reply.kind === 'error') {
        const e = reply as WorkerErrorReply;
        const code = ERROR_CODES.includes(e.code as ErrorCode) ? (e.code as ErrorCode) : 'INTERNAL_SERVER_ERROR';
        throw new AppError(code, e.message, e.details ?? {});
      }
      return reply as Res;
    });
  }

  private spawn(): Slot<Res> {
    const slot: Slot<Res> = { worker: startWorker(this.entry), pending: new Map() };
    slot.worker.unref();
    slot.worker.on('message', (reply: Res | WorkerErrorReply) => {
      const waiter = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) slot.worker.unref();
      waiter?.resolve(reply);
    });
    const fail = (err: Error) => {
      for (const waiter of slot.pending.values()) waiter.reject(err);
      slot.pending.clear();
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots[index] = this.spawn();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => {
      if (slot.pending.size > 0) fail(new Error(`worker ${this.entry.pathname} exited with code ${code}`));
    });
    return slot;
  }
}

/**
 * The buffers of `views` that can move to another thread: a view that covers its whole
 * ArrayBuffer. A view into a larger buffer (a pooled Buffer, a frame inside a read chunk) is left
 * out and so copied by postMessage, leaving the larger buffer usable.
 */
export function ownedBuffers(views: readonly ArrayBufferView[]): ArrayBuffer[] {
  return views.filter((v) => v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength).map((v) => v.buffer as ArrayBuffer);
}

/** Under tsx the sources are .ts, and a worker needs the loader registered before importing them. */
function startWorker(entry: URL): Worker {
  if (entry.pathname.endsWith('.ts')) {
    const tsx = import.meta.resolve('tsx/esm/api');
    return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true });
  }
  return new Worker(entry);
}

/** The entry module beside `here` (an import.meta.url), as .ts under tsx and .js when compiled. */
export function siblingEntry(here: string, name: string): URL {
  return new URL(`./${name}${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
}
