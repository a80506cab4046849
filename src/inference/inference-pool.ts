import ort from 'onnxruntime-node';
import type { InferenceRequest, InferenceResponse, WireTensor } from './inference-protocol.js';
import type { InferenceRunner, ModelTransform } from './runner.js';
import type { SessionOptions } from './session-options.js';
import { ownedBuffers, siblingEntry, WorkerPool } from './worker-pool.js';

/**
 * A fixed set of worker threads that each hold a copy of every session and run inference off the
 * main thread. onnxruntime-node's `run` is synchronous on the calling thread (measured: a 1 ms
 * timer gets no ticks while it runs), so in-thread inference both stalls the event loop and
 * serialises concurrent requests; with workers, two requests on two cores infer at the same time.
 * One message per model run: the server's identify path uses vision's whole-pipeline workers
 * instead (one message per image); this pool serves the tools and benches that run models one by one.
 */
export class InferencePool {
  private readonly pool: WorkerPool<InferenceRequest, InferenceResponse>;

  constructor(size: number) {
    this.pool = new WorkerPool(siblingEntry(import.meta.url, 'inference-worker'), size);
  }

  /** Loads the model in every worker; the returned runner spreads runs over the least busy one. */
  async load(path: string, session: SessionOptions, transform?: ModelTransform, hint?: string): Promise<InferenceRunner> {
    const base = { path, session, ...(transform ? { transform } : {}), ...(hint ? { hint } : {}) };
    const replies = await this.pool.broadcast({ ...base, kind: 'load' });
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
        // Input tensors are built per run and dropped after it (detector: 900 KB per image), so
        // their buffers move to the worker instead of being structured-cloned on the event loop.
        const reply = await this.pool.send({ ...base, kind: 'run', feeds: wire }, ownedBuffers(Object.values(wire).map((t) => t.data)));
        if (reply.kind !== 'ran') throw new Error('inference worker answered a run with ' + reply.kind);
        return Object.fromEntries(Object.entries(reply.outputs).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.dims)]));
      },
    };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
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
