/** How a model wants its face cut out of the photo; vision/ produces the crop, embedding/ never sees the photo. */
export type CropSpec =
  /** Similarity-aligned onto the standard ArcFace 5-point template, scaled to the input size. */
  | { kind: 'aligned' }
  /** Square crop centred on the detected face box, its side enlarged by `margin` (0.2 = 20 % larger). */
  | { kind: 'box'; margin: number };

/** A face already cut to the model's input size: interleaved RGB, `size` × `size`. */
export interface FaceCrop {
  data: Uint8Array;
  size: number;
}

/** Everything a deployer declares to plug an ONNX embedding model in without code changes. */
export interface EmbeddingSpec {
  id: string;
  /** Output dimension; checked against the model at load. */
  dim: number;
  /** Square input side in pixels; the model takes NCHW float32 [batch, 3, size, size]. */
  inputSize: number;
  /** Per-channel RGB mean and std in 0–255 pixel units: input = (pixel − mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
  crop: CropSpec;
  /** Embed the mirrored crop too and average before normalising. */
  flip: boolean;
  /** Comparison metric of the L2-normalised embeddings. */
  metric: 'l2';
  /** Input/output tensor names; default: the first input, and the first 2-D output of width `dim`. */
  inputName?: string;
  outputName?: string;
}

export interface EmbeddingModel extends Readonly<EmbeddingSpec> {
  /** One unit-length vector per crop, in order; all crops go through the network in one batched run. */
  embed(faces: FaceCrop[]): Promise<Float32Array[]>;
}
