import { AppError } from '../errors.js';
import { DEFAULT_POLICY, readPolicy, type TenantPolicy } from './tenant-policy.js';

/**
 * A tenant's recognition settings. Each embedding model has its own defaults because its
 * distances are distributed differently: the paper's CLIP optimum (k1=1, k2=3, threshold 0.82)
 * would accept strangers with the face model, whose different-person distances sit near 1.4
 * and same-person ones well below 1.0 (STACK.md; re-measure with `npm run eval`).
 */
export interface TenantSettings extends TenantPolicy {
  model: string;
  k1: number;
  k2: number;
  threshold: number;
  /**
   * The default gallery set: what identify searches when no gallery is named, and what a person
   * created without galleries joins. A new tenant's is its "default" gallery.
   */
  defaultGalleryIds: string[];
}

/** The model of settings stored without one: tenants from before models were chosen enrolled with it. */
export const DEFAULT_MODEL = 'face-arcface-512';

export const MODEL_DEFAULTS: Readonly<Record<string, Omit<TenantSettings, 'model' | 'defaultGalleryIds' | keyof TenantPolicy>>> = {
  'face-arcface-512': { k1: 1, k2: 3, threshold: 1.05 },
  // int8 distances run ~0.05 longer: npm run eval's balanced points were 1.10 (faces-dev) and 1.12
  // (ORL) against fp32's 1.01 and 1.15 (README, int8).
  'face-arcface-512-int8': { k1: 1, k2: 3, threshold: 1.1 },
  'clip-vit-b32': { k1: 1, k2: 3, threshold: 0.82 },
};

const FALLBACK = { k1: 1, k2: 3, threshold: 1.0 };

export function defaultSettings(model = DEFAULT_MODEL): TenantSettings {
  return { model, ...(MODEL_DEFAULTS[model] ?? FALLBACK), defaultGalleryIds: [], ...DEFAULT_POLICY };
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
    defaultGalleryIds: Array.isArray(s.defaultGalleryIds) ? s.defaultGalleryIds.filter((id): id is string => typeof id === 'string') : [],
    ...readPolicy(s as Record<string, unknown>),
  };
}
