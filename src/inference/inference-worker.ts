/**
 * Worker-thread side of the inference pool: holds its own sessions (the models are small, so a
 * copy per worker is cheap) and runs them off the main thread, whose event loop stays free.
 */
import ort from 'onnxruntime-node';
import type { InferenceRequest, InferenceResponse, WireTensor } from './inference-protocol.js';
import { loadSession } from './session.js';
import { serveWorker } from './worker-serve.js';

serveWorker<InferenceRequest, InferenceResponse>(async (request) => {
  const session = await loadSession(request.path, {
    ...request.session,
    ...(request.transform ? { transform: request.transform } : {}),
    ...(request.hint ? { hint: request.hint } : {}),
  });
  switch (request.kind) {
    case 'load':
      return {
        reply: {
          id: request.id,
          kind: 'loaded',
          inputNames: [...session.inputNames],
          outputNames: [...session.outputNames],
          inputMetadata: structuredClone([...session.inputMetadata]),
          outputMetadata: structuredClone([...session.outputMetadata]),
        },
      };
    case 'run': {
      const feeds = Object.fromEntries(Object.entries(request.feeds).map(([name, t]) => [name, new ort.Tensor('float32', t.data, t.dims)]));
      const out = await session.run(feeds);
      const outputs: Record<string, WireTensor> = {};
      for (const [name, tensor] of Object.entries(out)) outputs[name] = { data: tensor.data as Float32Array, dims: [...tensor.dims] };
      return { reply: { id: request.id, kind: 'ran', outputs }, transfer: Object.values(outputs).map((t) => t.data.buffer as ArrayBuffer) };
    }
    default: {
      const unknown: never = request;
      throw new Error(`unknown request ${JSON.stringify(unknown)}`);
    }
  }
});
