import { LRUCache } from 'lru-cache';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../errors.js';
import { CAPABILITIES, requirePlatform, type Capability, type TenantViewer, type Viewer } from '../auth/index.js';
import { isDatabaseUnreachable, type CreateLimiter, type Repositories } from '../db/index.js';
import { effectiveLimits, mergeOverrides, type LimitName, type TenantLimits, type TenantLimitsInput } from './tenant-limits.js';
import { limitError } from './limit-errors.js';

export interface LimitsServiceDeps {
  repos: Pick<Repositories, 'tenantLimits'>;
  createLimiter: CreateLimiter;
  defaults: TenantLimits;
  /** A tenant's overrides are re-read at most this often, so a change reaches every replica within it. */
  cacheMs?: number;
  /** Told of every refusal, for the metrics. */
  onRejected?: (limit: LimitName) => void;
}

export interface TenantUsage {
  identifyToday: number;
  identifyResetsAt: Date | null;
  enrolledImagesToday: number;
  enrolledImagesResetsAt: Date | null;
  people: number;
  faces: number;
}

const DAY_SECONDS = 86_400;
/** Gives back what a call spent, when the use case then failed. */
export type Refund = () => Promise<void>;
const NOTHING: Refund = async () => undefined;
type Windowed = Extract<LimitName, 'requestsPerSecondPerKey' | 'requestsPerSecondPerTenant' | 'identifyPerDay' | 'enrolledImagesPerDay'>;
const WINDOWS: Record<Windowed, number> = { requestsPerSecondPerKey: 1, requestsPerSecondPerTenant: 1, identifyPerDay: DAY_SECONDS, enrolledImagesPerDay: DAY_SECONDS };
/** The daily windows are quotas (QUOTA_EXCEEDED, spent per tenant); the others are rates. */
const isQuota = (name: Windowed) => WINDOWS[name] === DAY_SECONDS;
const QUOTAS = (Object.keys(WINDOWS) as Windowed[]).filter(isQuota);

/**
 * Rate limits and quotas per key and per tenant. Counting windows is rate-limiter-flexible's
 * job (shared through PostgreSQL); this file only decides which counter a call spends and turns a
 * refusal into RATE_LIMITED or QUOTA_EXCEEDED with the time to wait. Daily quotas are fixed
 * windows of 24 h that start with the first call after the previous window ended.
 */
export function createLimitsService(deps: LimitsServiceDeps) {
  const { repos, defaults } = deps;
  const cacheMs = deps.cacheMs ?? 5000;
  const cached = new Map<string, { limits: TenantLimits; until: number }>();
  const limiters = new Map<string, RateLimiterAbstract>();
  // Daily quotas a tenant was just refused, answered from memory for a while: identify spends its
  // quota while the image is analysed (guard-services.ts), so without this a tenant over its quota
  // would buy an analysis with every refused call. Re-checked after `cacheMs`, like the limits.
  const exhausted = new LRUCache<string, { points: number; resetsAt: number; recheckAt: number }>({ max: 10_000 });

  function limiter(name: Windowed, points: number): RateLimiterAbstract {
    const id = `${name}:${points}`;
    let found = limiters.get(id);
    if (!found) {
      // One limiter per point value, all on the same counters: a new limit applies to the current window.
      found = deps.createLimiter({ keyPrefix: `visage:${name}`, points, durationSeconds: WINDOWS[name] });
      limiters.set(id, found);
    }
    return found;
  }

  async function limitsOf(tenantId: string): Promise<TenantLimits> {
    const hit = cached.get(tenantId);
    if (hit && hit.until > Date.now()) return hit.limits;
    let overrides;
    try {
      overrides = await repos.tenantLimits.limits(tenantId);
    } catch (err) {
      // Through a database outage identify keeps answering (src/outage/): the limits last read,
      // or the defaults, hold until the database answers again.
      if (!isDatabaseUnreachable(err)) throw err;
      return hit?.limits ?? defaults;
    }
    const limits = effectiveLimits(overrides, defaults);
    cached.set(tenantId, { limits, until: Date.now() + cacheMs });
    return limits;
  }

  /**
   * Spends `points` of a window and returns how to give them back. A refusal gives its points back
   * at once, so usage counts only what was served.
   */
  async function spend(name: Windowed, key: string, limit: number, points: number, describe: () => string): Promise<Refund> {
    const code = isQuota(name) ? 'QUOTA_EXCEEDED' : 'RATE_LIMITED';
    if (points > limit) {
      deps.onRejected?.(name);
      throw limitError(code, `${describe()} (this request alone needs ${points}).`, null, name);
    }
    // Only quotas are remembered: a rate's refusal is already answered from memory by the limiter's own in-memory block.
    const memo = isQuota(name) ? `${name}:${key}` : null;
    const known = memo === null ? undefined : exhausted.get(memo);
    if (known && points >= known.points && Date.now() < known.recheckAt) {
      deps.onRejected?.(name);
      throw limitError(code, describe(), Math.max(1, known.resetsAt - Date.now()), name);
    }
    try {
      await limiter(name, limit).consume(key, points);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      if (memo !== null) {
        await limiter(name, limit).reward(key, points).catch(() => undefined);
        exhausted.set(memo, { points, resetsAt: Date.now() + err.msBeforeNext, recheckAt: Date.now() + Math.min(cacheMs, err.msBeforeNext) });
      }
      deps.onRejected?.(name);
      throw limitError(code, describe(), err.msBeforeNext, name);
    }
    if (known && memo !== null) exhausted.delete(memo);
    return async () => {
      await limiter(name, limit).reward(key, points);
    };
  }

  function allowed(viewer: Viewer, capability: Capability): TenantViewer | null {
    if (viewer.kind !== 'tenant') return null;
    return (CAPABILITIES[capability] as readonly string[]).includes(viewer.role) ? viewer : null;
  }

  async function checkSize(v: TenantViewer, name: 'maxPeople' | 'maxFaces', adding: number, what: string): Promise<void> {
    const limit = (await limitsOf(v.tenantId))[name];
    const current = name === 'maxPeople' ? await repos.tenantLimits.countPeople(v.tenantId) : await repos.tenantLimits.countFaces(v.tenantId);
    if (current + adding <= limit) return;
    deps.onRejected?.(name);
    throw limitError('QUOTA_EXCEEDED', `This tenant has ${current} ${what} of the ${limit} it may keep; this request would add up to ${adding}. Delete some or ask the platform admin to raise ${name}.`, null, name);
  }

  async function windowUsage(name: Windowed, key: string, limit: number): Promise<{ used: number; resetsAt: Date | null }> {
    const res = await limiter(name, limit).get(key);
    if (!res) return { used: 0, resetsAt: null };
    return { used: res.consumedPoints, resetsAt: res.msBeforeNext >= 0 ? new Date(Date.now() + res.msBeforeNext) : null };
  }

  function readable(viewer: Viewer, tenantId: string): void {
    if (viewer.kind === 'platform') return;
    if (viewer.kind !== 'tenant' || viewer.tenantId !== tenantId) throw new AppError('FORBIDDEN', 'Only this tenant’s keys and the platform admin may read its limits.');
  }

  return {
    limitsOf,

    /** Requests per second per key and per tenant; the platform admin is not limited. */
    async checkRequest(viewer: Viewer): Promise<void> {
      if (viewer.kind !== 'tenant') return;
      const limits = await limitsOf(viewer.tenantId);
      // Both at once, so they share one round trip (Database.counters); a refusal by either gives
      // back the other's point, as if the second had never been asked.
      const spent = await Promise.allSettled([
        spend('requestsPerSecondPerKey', viewer.keyId, limits.requestsPerSecondPerKey, 1, () => `This API key may send ${limits.requestsPerSecondPerKey} requests per second; slow down and retry.`),
        spend('requestsPerSecondPerTenant', viewer.tenantId, limits.requestsPerSecondPerTenant, 1, () => `This tenant may send ${limits.requestsPerSecondPerTenant} requests per second across its keys; slow down and retry.`),
      ]);
      const refused = spent.find((s) => s.status === 'rejected');
      if (!refused) return;
      await Promise.all(spent.map((s) => (s.status === 'fulfilled' ? s.value().catch(() => undefined) : undefined)));
      throw refused.reason;
    },

    /** One identify, identifyFrames or identifyVideo call. Other roles pass through to the use case's FORBIDDEN. */
    async spendIdentify(viewer: Viewer): Promise<Refund> {
      const v = allowed(viewer, 'identify');
      if (!v) return NOTHING;
      const limit = (await limitsOf(v.tenantId)).identifyPerDay;
      return spend('identifyPerDay', v.tenantId, limit, 1, () => `This tenant has used its ${limit} identify calls of the current 24-hour window.`);
    },

    /** Images sent for enrollment (accepted or not: the work is done either way), and room for their faces. */
    async spendEnrollment(viewer: Viewer, images: number): Promise<Refund> {
      const v = allowed(viewer, 'enroll');
      if (!v) return NOTHING;
      await checkSize(v, 'maxFaces', images, 'faces');
      const limit = (await limitsOf(v.tenantId)).enrolledImagesPerDay;
      return spend('enrolledImagesPerDay', v.tenantId, limit, images, () => `This tenant has used its ${limit} enrollment images of the current 24-hour window`);
    },

    async checkNewPerson(viewer: Viewer): Promise<Refund> {
      const v = allowed(viewer, 'managePeople');
      if (v) await checkSize(v, 'maxPeople', 1, 'people');
      return NOTHING;
    },

    async limits(viewer: Viewer, tenantId: string): Promise<TenantLimits> {
      readable(viewer, tenantId);
      return limitsOf(tenantId);
    },

    async usage(viewer: Viewer, tenantId: string): Promise<TenantUsage> {
      readable(viewer, tenantId);
      const limits = await limitsOf(tenantId);
      const [identify, images, people, faces] = await Promise.all([
        windowUsage('identifyPerDay', tenantId, limits.identifyPerDay),
        windowUsage('enrolledImagesPerDay', tenantId, limits.enrolledImagesPerDay),
        repos.tenantLimits.countPeople(tenantId),
        repos.tenantLimits.countFaces(tenantId),
      ]);
      return { identifyToday: identify.used, identifyResetsAt: identify.resetsAt, enrolledImagesToday: images.used, enrolledImagesResetsAt: images.resetsAt, people, faces };
    },

    /** Platform admin only; audited in the tenant's log. */
    async updateTenantLimits(viewer: Viewer, tenantId: string, input: TenantLimitsInput): Promise<TenantLimits> {
      requirePlatform(viewer);
      const stored = await repos.tenantLimits.limits(tenantId);
      if (stored === null) throw new AppError('NOT_FOUND', `No tenant with id "${tenantId}".`, { field: 'tenantId' });
      const next = mergeOverrides(stored, input);
      await repos.tenantLimits.setLimits(tenantId, next);
      cached.delete(tenantId);
      for (const name of QUOTAS) exhausted.delete(`${name}:${tenantId}`);
      return effectiveLimits(next, defaults);
    },
  };
}

export type LimitsService = ReturnType<typeof createLimitsService>;
