import type { EmbeddingModel, FaceCrop } from '../embedding/index.js';
import { CONFIG_DEFAULTS } from '../config/index.js';
import { alignFace, boxCrop } from './align.js';
import { decodeImage, DEFAULT_DECODE_LIMITS, type DecodeLimits } from './decode.js';
import type { Box, Point, RgbImage } from './image.js';
import { toFivePoints } from './landmarks.js';
import { landmarksLookSane } from './sanity.js';
import type { HeadPose } from './pose.js';
import { laplacianVariance } from './quality.js';
import type { Vision } from './vision.js';

export interface AnalyzeOptions {
  model: EmbeddingModel;
  vision: Vision;
  limits?: DecodeLimits;
  /** Detection probability below which a face is ignored. */
  minScore?: number;
  /** Shorter side of the face box, in original pixels, below which a face is ignored. */
  minFaceSize?: number;
  /** Keep only the highest-scoring faces. */
  maxFaces?: number;
  /** Treat the whole image as one tight face crop (ORL-style datasets): no detection. */
  cropped?: boolean;
  /**
   * How a pre-cropped face is brought to the model's input: `auto` (default) aligns on the
   * landmarks found in the crop when they look plausible and otherwise takes a centred square;
   * `landmarks` and `resize` force one way (for measuring which works on a dataset).
   */
  croppedAlignment?: 'auto' | 'landmarks' | 'resize';
  /**
   * When nothing is detected and the image's longer side is at most this many pixels, analyse it
   * as pre-cropped instead of returning no face; `mode` says so. 0 (default) turns it off.
   */
  croppedFallbackMaxSide?: number;
  /**
   * Estimate head pose with fr_pose.onnx. Off by default: measured on the 169 faces-dev photos it
   * costs about as much as the embedding itself per face, and |yaw| correlates only weakly with
   * how far a photo lands from the same person's other photos (r ≈ 0.24), though the two
   * worst-separated photos were the most turned ones. Worth it where enrollment wants to refuse
   * strongly turned faces, not on the identify path.
   */
  pose?: boolean;
}

export const DEFAULT_MIN_SCORE = CONFIG_DEFAULTS.minFaceScore;
export const DEFAULT_MIN_FACE_SIZE = CONFIG_DEFAULTS.minFaceSize;

/** How faces were found: `cropped-fallback` means detection found none and the caller allowed the fallback. */
export type AnalyzeMode = 'detected' | 'cropped' | 'cropped-fallback';

export interface FaceQuality {
  /** Detector probability; 1 for pre-cropped input, where the caller asserts the face. */
  detectionScore: number;
  /** Shorter side of the face box in original pixels. */
  faceSizePx: number;
  /** Variance of the Laplacian on the 112×112 aligned grey crop. */
  sharpness: number;
  yaw?: number;
  pitch?: number;
  roll?: number;
}

export interface AnalyzedFace {
  box: Box;
  detectionScore: number;
  /** Eye centres, nose tip, mouth corners (image-left first), original pixels. */
  landmarks: Point[];
  /** `resize`: pre-cropped input whose landmarks looked wrong, so the crop was resized instead of aligned. */
  alignment: 'landmarks' | 'resize';
  quality: FaceQuality;
  embedding: Float32Array;
  modelId: string;
}

export interface AnalyzedImage {
  width: number;
  height: number;
  mode: AnalyzeMode;
  /** Highest detection score first. */
  faces: AnalyzedFace[];
  timingsMs: { decode: number; detect: number; align: number; embed: number; total: number };
}

interface Located {
  box: Box;
  score: number;
}

/** The one entry point of the recognition core: image bytes → one embedding per face. */
export async function analyzeImage(bytes: Uint8Array, options: AnalyzeOptions): Promise<AnalyzedImage> {
  const t0 = performance.now();
  const image = await decodeImage(bytes, options.limits ?? DEFAULT_DECODE_LIMITS);
  return analyzeFrom(image, options, t0, performance.now());
}

/**
 * The same pipeline for pixels that are already decoded (video frames from ffmpeg): no decode
 * step, so no decode limits; `timingsMs.decode` is 0.
 */
export async function analyzeDecoded(image: RgbImage, options: Omit<AnalyzeOptions, 'limits'>): Promise<AnalyzedImage> {
  const t0 = performance.now();
  return analyzeFrom(image, options, t0, t0);
}

async function analyzeFrom(image: RgbImage, options: AnalyzeOptions, t0: number, t1: number): Promise<AnalyzedImage> {
  let mode: AnalyzeMode = options.cropped ? 'cropped' : 'detected';
  let located: Located[];
  if (options.cropped) {
    located = [wholeImage(image)];
  } else {
    const detector = await options.vision.detector();
    located = await detector.detect(image, {
      minScore: options.minScore ?? DEFAULT_MIN_SCORE,
      minFaceSize: options.minFaceSize ?? DEFAULT_MIN_FACE_SIZE,
    });
    const fallbackSide = options.croppedFallbackMaxSide ?? 0;
    if (located.length === 0 && Math.max(image.width, image.height) <= fallbackSide) {
      mode = 'cropped-fallback';
      located = [wholeImage(image)];
    }
  }
  if (options.maxFaces !== undefined) located = located.slice(0, Math.max(0, options.maxFaces));
  const t2 = performance.now();

  const prepared = await prepareFaces(image, located, mode !== 'detected', options);
  const t3 = performance.now();

  const embeddings = await options.model.embed(prepared.map((p) => p.crop));
  const t4 = performance.now();

  return {
    width: image.width,
    height: image.height,
    mode,
    faces: prepared.map((p, i) => ({ ...p.face, embedding: embeddings[i]!, modelId: options.model.id })),
    timingsMs: { decode: t1 - t0, detect: t2 - t1, align: t3 - t2, embed: t4 - t3, total: t4 - t0 },
  };
}

function wholeImage(image: RgbImage): Located {
  return { box: { x: 0, y: 0, width: image.width, height: image.height }, score: 1 };
}

async function prepareFaces(
  image: RgbImage,
  located: Located[],
  precropped: boolean,
  options: AnalyzeOptions,
): Promise<Array<{ face: Omit<AnalyzedFace, 'embedding' | 'modelId'>; crop: FaceCrop }>> {
  if (located.length === 0) return [];
  const landmarker = await options.vision.landmarker();
  const all68 = await landmarker.landmarks68(image, located.map((l) => l.box));
  const pose = options.pose ? await options.vision.pose() : undefined;
  const { model } = options;
  const prepared = [];
  for (let i = 0; i < located.length; i++) {
    const { box, score } = located[i]!;
    const landmarks = toFivePoints(all68[i]!);
    const useLandmarks = !precropped || trustLandmarks(options.croppedAlignment ?? 'auto', landmarks, box);
    const aligned112 = useLandmarks ? alignFace(image, landmarks, 112) : centreSquare(image, box, 112);
    let crop: FaceCrop;
    if (model.crop.kind === 'box') {
      crop = boxCrop(image, box, model.crop.margin, model.inputSize);
    } else if (model.inputSize === 112) {
      crop = aligned112;
    } else {
      crop = useLandmarks ? alignFace(image, landmarks, model.inputSize) : centreSquare(image, box, model.inputSize);
    }
    const headPose: HeadPose | undefined = pose ? await pose.estimate(image, box) : undefined;
    prepared.push({
      face: {
        box,
        detectionScore: score,
        landmarks,
        alignment: useLandmarks ? ('landmarks' as const) : ('resize' as const),
        quality: {
          detectionScore: score,
          faceSizePx: Math.min(box.width, box.height),
          sharpness: laplacianVariance(aligned112.data, 112),
          ...(headPose ?? {}),
        },
      },
      crop: { data: crop.data, size: crop.size },
    });
  }
  return prepared;
}

function trustLandmarks(policy: 'auto' | 'landmarks' | 'resize', landmarks: Point[], box: Box): boolean {
  switch (policy) {
    case 'auto':
      return landmarksLookSane(landmarks, box);
    case 'landmarks':
      return true;
    case 'resize':
      return false;
    default: {
      const unknown: never = policy;
      throw new Error(`unknown croppedAlignment ${String(unknown)}`);
    }
  }
}

/** The fixed centre crop for pre-cropped faces whose landmarks are not trusted. */
function centreSquare(image: RgbImage, box: Box, size: number) {
  const side = Math.min(box.width, box.height);
  return boxCrop(image, { x: box.x + (box.width - side) / 2, y: box.y + (box.height - side) / 2, width: side, height: side }, 0, size);
}
