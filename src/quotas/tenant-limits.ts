import { badInput } from '../errors.js';

/** Every limit a tenant has; the defaults come from configuration, a tenant may override each. */
export const LIMIT_NAMES = ['requestsPerSecondPerKey', 'requestsPerSecondPerTenant', 'identifyPerDay', 'enrolledImagesPerDay', 'maxPeople', 'maxFaces'] as const;

export type LimitName = (typeof LIMIT_NAMES)[number];
export type TenantLimits = Readonly<Record<LimitName, number>>;
/** What updateTenantLimits takes: a number overrides, null returns to the default, absent keeps. */
export type TenantLimitsInput = Partial<Record<LimitName, number | null>>;

const MAX_LIMIT = 1_000_000_000;

function isLimit(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_LIMIT;
}

/** The stored overrides (JSON written by `mergeOverrides`), each falling back to its default when absent or invalid. */
export function effectiveLimits(stored: unknown, defaults: TenantLimits): TenantLimits {
  const overrides = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
  return Object.fromEntries(LIMIT_NAMES.map((name) => [name, isLimit(overrides[name]) ? overrides[name] : defaults[name]])) as TenantLimits;
}

/** The next stored overrides, after checking every value of the input. 0 means "none allowed". */
export function mergeOverrides(stored: unknown, input: TenantLimitsInput): Partial<Record<LimitName, number>> {
  const next: Partial<Record<LimitName, number>> = {};
  const current = (stored && typeof stored === 'object' ? stored : {}) as Record<string, unknown>;
  for (const name of LIMIT_NAMES) {
    const value = name in input ? input[name] : current[name];
    if (value === null || value === undefined) continue;
    if (!isLimit(value)) throw badInput(name, `${name} must be a whole number from 0 to ${MAX_LIMIT}, or null for the default.`);
    next[name] = value;
  }
  return next;
}
