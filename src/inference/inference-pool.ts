import { Worker } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors.js';
import type { InferenceRequest, InferenceResponse, WireTensor } from './inference-protocol.js';
import type { InferenceRunner, ModelTransform } from './runner.js';
import type { SessionOptions } from './session-options.js';

type Pending = { resolve: (r: InferenceResponse) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * A fixed set of worker threads that each hold a copy of every session and run inference off the
 * main thread. onnxruntime-node's `run` is synchronous on the calling thread (measured: a 1 ms
 * timer gets no ticks while it runs), so in-thread inference both stalls the event loop and
 * serialises concurrent requests; with workers, two requests on two cores infer at the same time.
 */
export class InferencePool {
  private readonly slots: Slot[];
  private nextId = 1;

  constructor(size: number) {
    this.slots = Array.from({ length: size }, () => this.spawn());
  }

  /** Loads the model in every worker; the returned runner spreads runs over the least busy one. */
  async load(path: string, session: SessionOptions, transform?: ModelTransform, hint?: string): Promise<InferenceRunner> {
    const base = { path, session, ...(transform ? { transform } : {}), ...(hint ? { hint } : {}) };
    const replies = await Promise.all(this.slots.map((slot) => this.send(slot, { ...base, kind: 'load' })));
    const meta = replies[0]!;
    if (meta.kind !== 'loaded') throw new Error('inference worker answered a load with ' + meta.kind);
    return {
      inputNames: meta.inputNames,
      outputNames: meta.outputNames,
      inputMetadata: meta.inputMetadata,
      outputMetadata: meta.outputMetadata,
      run: async (feeds) => {
        const wire: Record<string, WireTensor> = {};
        for (const [name, t] of Object.entries(feeds)) wire[name] = { data: t.data as Float32Array, dims: [...t.dims] };
        const reply = await this.send(this.leastBusy(), { ...base, kind: 'run', feeds: wire }, ownedBuffers(Object.values(wire)));
        if (reply.kind !== 'ran') throw new Error('inference worker answered a run with ' + reply.kind);
        return Object.fromEntries(Object.entries(reply.outputs).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.dims)]));
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private leastBusy(): Slot {
    return this.slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  /** `transfer`: buffers handed to the worker instead of copied; the caller must not touch them again. */
  private send(slot: Slot, request: DistributiveOmit<InferenceRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<InferenceResponse> {
    const id = this.nextId++;
    return new Promise<InferenceResponse>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      // A waiting request must keep the process alive; an idle pool must not.
      slot.worker.ref();
      slot.worker.postMessage({ ...request, id } as InferenceRequest, transfer);
    }).then((reply) => {
      if (reply.kind === 'error') {
        const code = ERROR_CODES.includes(reply.code as ErrorCode) ? (reply.code as ErrorCode) : 'INTERNAL_SERVER_ERROR';
        throw new AppError(code, reply.message, reply.details ?? {});
      }
      return reply;
    });
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker(), pending: new Map() };
    slot.worker.unref();
    slot.worker.on('message', (reply: InferenceResponse) => {
      const waiter = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) slot.worker.unref();
      waiter?.resolve(reply);
    });
    const fail = (err: Error) => {
      for (const waiter of slot.pending.values()) waiter.reject(err);
      slot.pending.clear();
      // Replace the dead worker so later requests still have somewhere to run.
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots[index] = this.spawn();
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => {
      if (slot.pending.size > 0) fail(new Error(`inference worker exited with code ${code}`));
    });
    return slot;
  }
}

/**
 * Input tensors are built per run and dropped after it (detector: 900 KB per image), so their
 * buffers move to the worker instead of being structured-cloned; the profile of bench:identify
 * showed that copy in postMessage on the event loop. A view into a larger buffer is copied.
 */
function ownedBuffers(tensors: WireTensor[]): ArrayBuffer[] {
  return tensors
    .filter((t) => t.data.buffer instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === t.data.buffer.byteLength)
    .map((t) => t.data.buffer as ArrayBuffer);
}

/** Under tsx the sources are .ts and a worker needs the loader registered before importing them. */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = new URL('./inference-worker.ts', here).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
  }
  return new Worker(new URL('./inference-worker.js', here));
}

const pools = new Map<number, InferencePool>();

/** One pool per size per process, shared by every model, like the in-thread session cache. */
export function inferencePool(size: number): InferencePool {
  let pool = pools.get(size);
  if (!pool) {
    pool = new InferencePool(size);
    pools.set(size, pool);
  }
  return pool;
}
