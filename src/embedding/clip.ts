import { CONFIG_DEFAULTS } from '../config/index.js';
import type { EmbeddingSpec } from './model.js';

export const CLIP_ID = 'clip-vit-b32';

/** Margin around the detected box before CLIP's centre crop: CLIP saw whole objects, not tight faces. */
export const DEFAULT_CLIP_MARGIN = CONFIG_DEFAULTS.clipMargin;

/**
 * The paper's model: a CLIP ViT-B/32 image encoder exported to ONNX (any export taking
 * [N, 3, 224, 224] and returning [N, 512], e.g. a `CLIPVisionModelWithProjection` export whose
 * output is `image_embeds`). CLIP's published normalisation constants, converted to 0–255 units.
 */
export function clipSpec(margin: number = DEFAULT_CLIP_MARGIN, flip = false): EmbeddingSpec {
  return {
    id: CLIP_ID,
    dim: 512,
    inputSize: 224,
    mean: [0.48145466 * 255, 0.4578275 * 255, 0.40821073 * 255],
    std: [0.26862954 * 255, 0.26130258 * 255, 0.27577711 * 255],
    crop: { kind: 'box', margin },
    flip,
    metric: 'l2',
  };
}
