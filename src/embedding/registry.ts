import { isAbsolute, join } from 'node:path';
import { AppError } from '../errors.js';
import { CLIP_ID, clipSpec, DEFAULT_CLIP_MARGIN } from './clip.js';
import { FACE_ARCFACE_FILE, FACE_ARCFACE_ID, FACE_ARCFACE_INT8_FILE, FACE_ARCFACE_INT8_ID, FACE_ARCFACE_INT8_SPEC, FACE_ARCFACE_SPEC } from './face-arcface.js';
import type { CropSpec, EmbeddingModel, EmbeddingSpec } from './model.js';
import { createOnnxEmbeddingModel } from './onnx-embedding-model.js';
import { loadSession, type LoadOptions, type SessionOptions } from '../inference/index.js';

/** A deployer's own ONNX embedding model, declared in configuration. */
export interface CustomModelSpec {
  id: string;
  /** Absolute, or relative to `modelsDir`. */
  file: string;
  inputSize: number;
  dim: number;
  /** 0–255 pixel units; default 127.5 / 127.5 (maps pixels to −1..1). */
  mean?: [number, number, number];
  std?: [number, number, number];
  /** Default: aligned onto the ArcFace template. */
  crop?: CropSpec;
  flip?: boolean;
  inputName?: string;
  outputName?: string;
}

export interface ModelsOptions extends SessionOptions {
  /** Folder holding the faceplugin `.onnx` files (scripts/fetch-models.sh fills it). */
  modelsDir: string;
  /** CLIP ViT-B/32 image encoder (VISAGE_CLIP_MODEL); without it `clip-vit-b32` is unavailable. */
  clipModelPath?: string;
  /** Margin around the face box for CLIP's crop; default 0.2. */
  clipMargin?: number;
  customModels?: CustomModelSpec[];
  /** Per-model override of flip-averaging, by model id. */
  flip?: Record<string, boolean>;
  /** Id used when a caller names none; default `face-arcface-512`. */
  defaultModelId?: string;
}

export interface ModelDescriptor {
  spec: EmbeddingSpec;
  /** Resolved path, or undefined when the model is not configured (CLIP without a path). */
  file: string | undefined;
}

/** A model ready to be loaded: what it is, its file, and the options its session is built with. */
export interface LocatedModel {
  spec: EmbeddingSpec;
  file: string;
  load: LoadOptions;
}

export interface ModelRegistry {
  readonly defaultModelId: string;
  ids(): string[];
  has(id: string): boolean;
  describe(id: string): ModelDescriptor;
  /** As get() would load it, without loading: MODEL_UNAVAILABLE for an unknown id or a model without a file. */
  locate(id?: string): LocatedModel;
  /** Loads the model's session on first use; later calls share it. */
  get(id?: string): Promise<EmbeddingModel>;
}

export function createModelRegistry(options: ModelsOptions): ModelRegistry {
  const descriptors = new Map<string, ModelDescriptor>();
  const flipFor = (id: string, fallback: boolean) => options.flip?.[id] ?? fallback;
  const resolveFile = (file: string) => (isAbsolute(file) ? file : join(options.modelsDir, file));

  descriptors.set(FACE_ARCFACE_ID, {
    spec: { ...FACE_ARCFACE_SPEC, flip: flipFor(FACE_ARCFACE_ID, FACE_ARCFACE_SPEC.flip) },
    file: join(options.modelsDir, FACE_ARCFACE_FILE),
  });
  descriptors.set(FACE_ARCFACE_INT8_ID, {
    spec: { ...FACE_ARCFACE_INT8_SPEC, flip: flipFor(FACE_ARCFACE_INT8_ID, FACE_ARCFACE_INT8_SPEC.flip) },
    file: join(options.modelsDir, FACE_ARCFACE_INT8_FILE),
  });
  descriptors.set(CLIP_ID, {
    spec: clipSpec(options.clipMargin ?? DEFAULT_CLIP_MARGIN, flipFor(CLIP_ID, false)),
    file: options.clipModelPath ? resolveFile(options.clipModelPath) : undefined,
  });
  for (const custom of options.customModels ?? []) {
    if (descriptors.has(custom.id)) {
      throw new AppError('MODEL_UNAVAILABLE', `Custom model id ${custom.id} is already taken`, { modelId: custom.id });
    }
    descriptors.set(custom.id, {
      spec: {
        id: custom.id,
        dim: custom.dim,
        inputSize: custom.inputSize,
        mean: custom.mean ?? [127.5, 127.5, 127.5],
        std: custom.std ?? [127.5, 127.5, 127.5],
        crop: custom.crop ?? { kind: 'aligned' },
        flip: flipFor(custom.id, custom.flip ?? false),
        metric: 'l2',
        ...(custom.inputName ? { inputName: custom.inputName } : {}),
        ...(custom.outputName ? { outputName: custom.outputName } : {}),
      },
      file: resolveFile(custom.file),
    });
  }

  const defaultModelId = options.defaultModelId ?? FACE_ARCFACE_ID;
  if (!descriptors.has(defaultModelId)) {
    throw new AppError('MODEL_UNAVAILABLE', `Default model ${defaultModelId} is not a known model id`, { modelId: defaultModelId });
  }
  const loaded = new Map<string, Promise<EmbeddingModel>>();
  const modelHint = (id: string) =>
    id === CLIP_ID ? 'Point VISAGE_CLIP_MODEL at an existing file.' : id === FACE_ARCFACE_INT8_ID ? 'Run npm run models:quantize (see README).' : 'Run scripts/fetch-models.sh (see README).';

  function describe(id: string): ModelDescriptor {
    const descriptor = descriptors.get(id);
    if (!descriptor) {
      throw new AppError('MODEL_UNAVAILABLE', `Unknown model ${id}; known: ${[...descriptors.keys()].join(', ')}`, { modelId: id });
    }
    return descriptor;
  }

  function locate(id: string = defaultModelId): LocatedModel {
    const { spec, file } = describe(id);
    if (!file) {
      throw new AppError('MODEL_UNAVAILABLE', `Model ${id} has no file configured (set VISAGE_CLIP_MODEL to a CLIP ViT-B/32 image encoder .onnx)`, {
        modelId: id,
      });
    }
    const load: LoadOptions = {
      intraOpThreads: options.intraOpThreads,
      allowSpinning: options.allowSpinning,
      inferenceWorkers: options.inferenceWorkers,
      graphOptimizationLevel: options.graphOptimizationLevel,
      calibration: options.calibration,
      transform: 'dynamic-batch',
      hint: modelHint(id),
    };
    return { spec, file, load };
  }

  async function load(id: string): Promise<EmbeddingModel> {
    const { spec, file, load: loadOptions } = locate(id);
    return createOnnxEmbeddingModel(spec, await loadSession(file, loadOptions), file);
  }

  return {
    defaultModelId,
    ids: () => [...descriptors.keys()],
    has: (id) => descriptors.has(id),
    describe,
    locate,
    get(id = defaultModelId) {
      let model = loaded.get(id);
      if (!model) {
        model = load(id);
        model.catch(() => loaded.delete(id));
        loaded.set(id, model);
      }
      return model;
    },
  };
}
