/** What the evaluation needs from the face pipeline: one unit embedding per image, or null when no face was found. */
export interface Embedder {
  readonly modelId: string;
  /**
   * Names everything the embedding depends on besides the image bytes (model id and weights, crop
   * path), so the on-disk cache never serves a vector computed another way.
   */
  readonly cacheNamespace: string;
  readonly dim: number;
  embed(bytes: Buffer): Promise<Float32Array | null>;
}
