import type { Point } from './image.js';

/** Row-major 2×3 affine matrix [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = [number, number, number, number, number, number];

/**
 * Least-squares similarity transform (uniform scale, rotation, translation; no reflection) taking
 * `src` points onto `dst` points: Umeyama's estimator specialised to 2-D, where the SVD reduces to
 * a closed form. Writing the map as [p −q; q p]·x + t, centring both point sets makes t drop out,
 * and the normal equations give p = Σ⟨s, d⟩ / Σ|s|² and q = Σ(s × d) / Σ|s|².
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Affine {
  if (src.length !== dst.length || src.length < 2) throw new Error('estimateSimilarity needs two or more paired points');
  const n = src.length;
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i]![0]; msy += src[i]![1];
    mdx += dst[i]![0]; mdy += dst[i]![1];
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const sx = src[i]![0] - msx, sy = src[i]![1] - msy;
    const dx = dst[i]![0] - mdx, dy = dst[i]![1] - mdy;
    dot += sx * dx + sy * dy;
    cross += sx * dy - sy * dx;
    norm += sx * sx + sy * sy;
  }
  if (norm === 0) throw new Error('estimateSimilarity: source points coincide');
  const p = dot / norm;
  const q = cross / norm;
  return [p, -q, mdx - (p * msx - q * msy), q, p, mdy - (q * msx + p * msy)];
}

export function applyAffine(m: Affine, [x, y]: Point): Point {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new Error('invertAffine: singular matrix');
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/** The scale factor of an affine map (geometric mean of its axis scales). */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}
