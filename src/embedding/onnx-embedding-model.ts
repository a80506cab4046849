import ort from 'onnxruntime-node';
import { AppError } from '../errors.js';
import type { EmbeddingModel, EmbeddingSpec, FaceCrop } from './model.js';
import { l2Normalize } from './normalize.js';
import type { InferenceRunner } from '../inference/index.js';

/** Builds the EmbeddingModel for any NCHW image encoder whose session is already loaded. */
export function createOnnxEmbeddingModel(spec: EmbeddingSpec, session: InferenceRunner, file: string): EmbeddingModel {
  const inputName = spec.inputName ?? pickInput(session);
  if (!inputName || !session.inputNames.includes(inputName)) {
    throw unavailable(spec, file, `has no input named ${spec.inputName ?? '(any image input)'}; inputs: ${describe(session.inputMetadata)}`);
  }
  const inputMeta = session.inputMetadata.find((m) => m.name === inputName);
  if (inputMeta?.isTensor) {
    const [, channels, height, width] = inputMeta.shape;
    const fixedMismatch = (d: number | string | undefined, want: number) => typeof d === 'number' && d !== want;
    if (inputMeta.type !== 'float32' || inputMeta.shape.length !== 4 || fixedMismatch(channels, 3) || fixedMismatch(height, spec.inputSize) || fixedMismatch(width, spec.inputSize)) {
      throw unavailable(spec, file, `input ${inputName} is ${inputMeta.type}[${inputMeta.shape.join(',')}], config says float32[N,3,${spec.inputSize},${spec.inputSize}]`);
    }
  }
  const outputName = spec.outputName ?? pickOutput(session, spec.dim);
  if (!outputName || !session.outputNames.includes(outputName)) {
    throw unavailable(spec, file, `has no 2-D output of width ${spec.dim}; outputs: ${describe(session.outputMetadata)}`);
  }
  const plane = spec.inputSize * spec.inputSize;
  // Batched runs are the fast path; a model whose graph cannot batch is discovered once and then
  // run face by face instead of failing every request.
  let canBatch = true;

  async function run(tensor: Float32Array, count: number): Promise<Float32Array[]> {
    const out = await session.run({ [inputName!]: new ort.Tensor('float32', tensor, [count, 3, spec.inputSize, spec.inputSize]) });
    const result = out[outputName!];
    if (!result) throw unavailable(spec, file, `produced no output ${outputName}`);
    const data = result.data as Float32Array;
    if (data.length !== count * spec.dim) {
      throw unavailable(spec, file, `output ${outputName} has ${data.length / count} values per face, config says ${spec.dim}`);
    }
    return Array.from({ length: count }, (_, i) => data.subarray(i * spec.dim, (i + 1) * spec.dim));
  }

  async function runAll(tensor: Float32Array, count: number): Promise<Float32Array[]> {
    if (canBatch || count === 1) {
      try {
        // The run takes over its input buffer, so a batch that may need the one-by-one retry gets a copy.
        return await run(count === 1 ? tensor : tensor.slice(), count);
      } catch (err) {
        if (count === 1 || err instanceof AppError) throw err;
        canBatch = false;
      }
    }
    const rows: Float32Array[] = [];
    for (let i = 0; i < count; i++) rows.push(...(await run(tensor.subarray(i * 3 * plane, (i + 1) * 3 * plane), 1)));
    return rows;
  }

  return {
    ...spec,
    async embed(faces: FaceCrop[]): Promise<Float32Array[]> {
      if (faces.length === 0) return [];
      const views = spec.flip ? 2 : 1;
      const count = faces.length * views;
      const tensor = new Float32Array(count * 3 * plane);
      faces.forEach((face, i) => {
        if (face.size !== spec.inputSize) {
          throw new AppError('INTERNAL_SERVER_ERROR', `Crop of ${face.size}px given to ${spec.id}, which takes ${spec.inputSize}px`);
        }
        writeNchw(face, spec, tensor, i * views * 3 * plane, false);
        if (spec.flip) writeNchw(face, spec, tensor, (i * views + 1) * 3 * plane, true);
      });
      const rows = await runAll(tensor, count);
      return faces.map((_, i) => {
        const sum = new Float32Array(spec.dim);
        for (let v = 0; v < views; v++) {
          const row = rows[i * views + v]!;
          for (let k = 0; k < spec.dim; k++) sum[k]! += row[k]!;
        }
        return l2Normalize(sum);
      });
    },
  };
}

/** The model's input layout and normalisation for one crop; also what int8 calibration feeds. */
export function writeNchw(face: FaceCrop, spec: EmbeddingSpec, out: Float32Array, offset: number, mirror: boolean): void {
  const size = face.size;
  const plane = size * size;
  const [m0, m1, m2] = spec.mean;
  const [s0, s1, s2] = spec.std;
  const src = face.data;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = mirror ? size - 1 - x : x;
      const p = (y * size + sx) * 3;
      const o = offset + y * size + x;
      out[o] = (src[p]! - m0) / s0;
      out[o + plane] = (src[p + 1]! - m1) / s1;
      out[o + 2 * plane] = (src[p + 2]! - m2) / s2;
    }
  }
}

/** Named embedding outputs of common exports first (HF CLIP: image_embeds), then any [N, dim]. */
function pickOutput(session: InferenceRunner, dim: number): string | undefined {
  for (const name of ['image_embeds', 'embeddings', 'output']) if (session.outputNames.includes(name)) return name;
  for (const meta of session.outputMetadata) {
    if (meta.isTensor && meta.shape.length === 2 && meta.shape[1] === dim) return meta.name;
  }
  return session.outputNames.length === 1 ? session.outputNames[0] : undefined;
}

/** CLIP exports that bundle the text tower take `input_ids` first: prefer the image input. */
function pickInput(session: InferenceRunner): string | undefined {
  if (session.inputNames.includes('pixel_values')) return 'pixel_values';
  const image = session.inputMetadata.find((m) => m.isTensor && m.shape.length === 4);
  return image?.name ?? session.inputNames[0];
}

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): string {
  return metadata.map((m) => (m.isTensor ? `${m.name}[${m.shape.join(',')}]` : m.name)).join(', ');
}

function unavailable(spec: EmbeddingSpec, file: string, what: string): AppError {
  return new AppError('MODEL_UNAVAILABLE', `Embedding model ${spec.id} (${file}) ${what}`, { modelId: spec.id, path: file });
}
