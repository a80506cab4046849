import { AppError, badInput } from '../errors.js';
import { requireTenant, type Viewer } from '../auth/index.js';
import type { RetentionRepository, RetentionSettings } from '../db/retention-repository.js';
import { actorOf } from '../audit/actor-of.js';

const LIMITS: Record<keyof RetentionSettings, { min: number; max: number; unit: string }> = {
  eventRetentionDays: { min: 1, max: 3650, unit: 'days' },
  auditRetentionDays: { min: 1, max: 3650, unit: 'days' },
  enrollmentSessionTtlMinutes: { min: 1, max: 7 * 24 * 60, unit: 'minutes' },
};

export function createRetentionSettingsService({ retention }: { retention: RetentionRepository }) {
  async function current(tenantId: string): Promise<RetentionSettings> {
    const settings = await retention.settings(tenantId);
    if (!settings) throw new AppError('UNAUTHENTICATED', 'The tenant of this API key no longer exists.');
    return settings;
  }
  return {
    async get(viewer: Viewer): Promise<RetentionSettings> {
      return current(requireTenant(viewer, 'readTenant').tenantId);
    },
    async update(viewer: Viewer, input: Partial<Record<keyof RetentionSettings, number | null>>): Promise<RetentionSettings> {
      const v = requireTenant(viewer, 'manageSettings');
      const next = { ...(await current(v.tenantId)) };
      for (const field of Object.keys(LIMITS) as (keyof RetentionSettings)[]) {
        const value = input[field];
        if (value === undefined || value === null) continue;
        const { min, max, unit } = LIMITS[field];
        if (!Number.isInteger(value) || value < min || value > max) throw badInput(field, `${field} must be a whole number of ${unit} from ${min} to ${max}; got ${value}.`);
        next[field] = value;
      }
      return retention.updateSettings(v.tenantId, next, actorOf(v));
    },
  };
}

export type RetentionSettingsService = ReturnType<typeof createRetentionSettingsService>;
