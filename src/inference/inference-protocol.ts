import type ort from 'onnxruntime-node';
import type { ModelTransform } from './runner.js';
import type { SessionOptions } from './session-options.js';

/** float32 tensors only: every model the pipeline runs takes and returns float32. */
export interface WireTensor {
  data: Float32Array;
  dims: number[];
}

interface RequestBase {
  id: number;
  path: string;
  session: SessionOptions;
  transform?: ModelTransform;
  hint?: string;
}

export type InferenceRequest = (RequestBase & { kind: 'load' }) | (RequestBase & { kind: 'run'; feeds: Record<string, WireTensor> });

export type InferenceResponse =
  | { id: number; kind: 'loaded'; inputNames: string[]; outputNames: string[]; inputMetadata: ort.InferenceSession.ValueMetadata[]; outputMetadata: ort.InferenceSession.ValueMetadata[] }
  | { id: number; kind: 'ran'; outputs: Record<string, WireTensor> };
