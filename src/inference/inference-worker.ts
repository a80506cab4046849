/**
 * Worker-thread side of the inference pool: holds its own sessions (the models are small, so a
 * copy per worker is cheap) and runs them off the main thread, whose event loop stays free.
 */
import { parentPort } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import type { InferenceRequest, InferenceResponse, WireTensor } from './inference-protocol.js';
import { loadSession } from './session.js';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');

port.on('message', (request: InferenceRequest) => {
  void handle(request).then(
    (response) => port.postMessage(response, transferables(response)),
    (err: unknown) => {
      const e = err as { code?: string; message?: string; details?: Record<string, unknown> };
      port.postMessage({ id: request.id, kind: 'error', code: e.code, message: e.message ?? String(err), details: e.details } satisfies InferenceResponse);
    },
  );
});

async function handle(request: InferenceRequest): Promise<InferenceResponse> {
  const session = await loadSession(request.path, {
    ...request.session,
    ...(request.transform ? { transform: request.transform } : {}),
    ...(request.hint ? { hint: request.hint } : {}),
  });
  switch (request.kind) {
    case 'load':
      return {
        id: request.id,
        kind: 'loaded',
        inputNames: [...session.inputNames],
        outputNames: [...session.outputNames],
        inputMetadata: structuredClone([...session.inputMetadata]),
        outputMetadata: structuredClone([...session.outputMetadata]),
      };
    case 'run': {
      const feeds = Object.fromEntries(Object.entries(request.feeds).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.dims)]));
      const out = await session.run(feeds);
      const outputs: Record<string, WireTensor> = {};
      for (const [name, tensor] of Object.entries(out)) outputs[name] = { data: tensor.data as Float32Array, dims: [...tensor.dims] };
      return { id: request.id, kind: 'ran', outputs };
    }
    default: {
      const unknown: never = request;
      throw new Error(`unknown request ${JSON.stringify(unknown)}`);
    }
  }
}

function transferables(response: InferenceResponse): ArrayBuffer[] {
  if (response.kind !== 'ran') return [];
  return Object.values(response.outputs).map((t) => t.data.buffer as ArrayBuffer);
}
