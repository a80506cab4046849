/**
 * How much a face's own decision should count, in (0, 1]: detector confidence times two
 * saturating terms (measured on faces-dev: sharp photos score 450-1700, a Gaussian blur of sigma 10
 * about 14), so a small or blurred face counts little but a sharp one does not outvote
 * an equally good one just by being sharper still. 40 px and a Laplacian variance of 100 are
 * where each term reaches one half.
 */
export function qualityWeight(q: { detectionScore: number; faceSizePx: number; sharpness: number }): number {
  const size = q.faceSizePx / (q.faceSizePx + 40);
  const sharp = q.sharpness / (q.sharpness + 100);
  return Math.max(1e-3, Math.min(1, q.detectionScore) * size * sharp);
}
