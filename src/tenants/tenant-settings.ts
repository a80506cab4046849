import { AppError } from '../errors.js';

/**
 * A tenant's recognition settings. Each embedding model has its own defaults because its
 * distances are distributed differently: the paper's CLIP optimum (k1=1, k2=3, threshold 0.82)
 * would accept strangers with the face model, whose different-person distances sit near 1.4
 * and same-person ones well below 1.0 (STACK.md; re-measure with `npm run eval`).
 */
export interface TenantSettings {
  model: string;
  k1: number;
  k2: number;
  threshold: number;
}

export const DEFAULT_MODEL = 'face-arcface-512';

export const MODEL_DEFAULTS: Readonly<Record<string, Omit<TenantSettings, 'model'>>> = {
  'face-arcface-512': { k1: 1, k2: 3, threshold: 1.05 },
  // The int8 copy's best thresholds in npm run eval sat next to the fp32 model's (README, int8).
  'face-arcface-512-int8': { k1: 1, k2: 3, threshold: 1.05 },
  'clip-vit-b32': { k1: 1, k2: 3, threshold: 0.82 },
};

const FALLBACK = { k1: 1, k2: 3, threshold: 1.0 };

export function defaultSettings(model = DEFAULT_MODEL): TenantSettings {
  return { model, ...(MODEL_DEFAULTS[model] ?? FALLBACK) };
}

/** Stored JSON → settings, filling what is missing from the model's defaults. */
export function readSettings(stored: unknown): TenantSettings {
  const s = (stored && typeof stored === 'object' ? stored : {}) as Partial<TenantSettings>;
  const base = defaultSettings(typeof s.model === 'string' ? s.model : DEFAULT_MODEL);
  return {
    model: base.model,
    k1: typeof s.k1 === 'number' ? s.k1 : base.k1,
    k2: typeof s.k2 === 'number' ? s.k2 : base.k2,
    threshold: typeof s.threshold === 'number' ? s.threshold : base.threshold,
  };
}

/** The ranges the API accepts: 1 ≤ k1 < k2 ≤ 50 and 0 < threshold ≤ 2 (unit vectors are at most 2 apart). */
export function validateVoteParams(p: { k1: number; k2: number; threshold: number }): void {
  const bad = (field: string, message: string) => new AppError('BAD_USER_INPUT', message, { field });
  if (!Number.isInteger(p.k1) || p.k1 < 1 || p.k1 > 49) throw bad('k1', `k1 must be a whole number from 1 to 49; got ${p.k1}.`);
  if (!Number.isInteger(p.k2) || p.k2 <= p.k1 || p.k2 > 50) throw bad('k2', `k2 must be a whole number greater than k1 (${p.k1}) and at most 50; got ${p.k2}.`);
  if (!Number.isFinite(p.threshold) || p.threshold <= 0 || p.threshold > 2) throw bad('threshold', `threshold must be in (0, 2]; got ${p.threshold}.`);
}
