import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createLimitsService } from '../../src/quotas/limits-service.js';
import type { TenantLimits } from '../../src/quotas/tenant-limits.js';
import type { TenantViewer } from '../../src/auth/index.js';
import { AppError, isAppError } from '../../src/errors.js';
import { guardServices, type Guardable } from '../../src/quotas/guard-services.js';
import type { LimitsService } from '../../src/quotas/limits-service.js';

const DEFAULTS: TenantLimits = { requestsPerSecondPerKey: 2, requestsPerSecondPerTenant: 3, identifyPerDay: 100, enrolledImagesPerDay: 100, maxPeople: 10, maxFaces: 10 };

/** The limits service on in-memory counters (the same library, its memory store), with the limiters it made kept for inspection. */
function service() {
  const limiters = new Map<string, RateLimiterMemory>();
  const limits = createLimitsService({
    repos: { tenantLimits: { limits: async () => ({}), setLimits: async () => undefined, countPeople: async () => 0, countFaces: async () => 0 } },
    defaults: DEFAULTS,
    createLimiter: ({ keyPrefix, points, durationSeconds }) => {
      const limiter = new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
      limiters.set(keyPrefix, limiter);
      return limiter;
    },
  });
  const used = async (prefix: string, key: string) => (await limiters.get(prefix)!.get(key))?.consumedPoints ?? 0;
  return { limits, used };
}

const viewer = (keyId: string): TenantViewer => ({ kind: 'tenant', tenantId: 'tenant-1', keyId, role: 'CLIENT', tenantSettings: {} }) as TenantViewer;

test('a request refused by its key’s rate gives back the tenant point it spent beside it', async () => {
  const { limits, used } = service();
  await limits.checkRequest(viewer('key-a'));
  await limits.checkRequest(viewer('key-a'));
  await assert.rejects(limits.checkRequest(viewer('key-a')), (err) => isAppError(err) && err.code === 'RATE_LIMITED' && /API key may send 2/.test(err.message));
  assert.equal(await used('visage:requestsPerSecondPerTenant', 'tenant-1'), 2);
  // The tenant's third request per second is still there for another key.
  await limits.checkRequest(viewer('key-b'));
  await assert.rejects(limits.checkRequest(viewer('key-c')), (err) => isAppError(err) && err.code === 'RATE_LIMITED' && /tenant may send 3/.test(err.message));
  assert.equal(await used('visage:requestsPerSecondPerKey', 'key-c'), 0);
});

test('identify spends its quota while the image is analysed, and a refused call stores nothing', async () => {
  const stored: string[] = [];
  const refunds: string[] = [];
  let answer: 'ok' | 'refused' = 'ok';
  const spend = async (): Promise<() => Promise<void>> => {
    await new Promise((r) => setTimeout(r, 5));
    if (answer === 'refused') throw new AppError('QUOTA_EXCEEDED', 'over quota');
    return async () => void refunds.push('identify');
  };
  const identify = {
    async identify(_viewer: unknown, input: { fail?: boolean }, reservation?: Promise<unknown>) {
      // The analysis runs before the reservation is looked at.
      if (input.fail) throw new AppError('INVALID_IMAGE', 'not an image');
      await reservation;
      stored.push('event');
      return 'answer';
    },
  };
  const limits = { spendIdentify: spend } as unknown as LimitsService;
  const guarded = guardServices({ identify, frames: {}, enrollment: {}, videoEnrollment: {}, people: {} } as unknown as Guardable, limits) as unknown as { identify: typeof identify };
  assert.equal(await guarded.identify.identify(viewer('k'), {}), 'answer');
  assert.deepEqual(stored, ['event']);
  // The use case's own failure gives the spent quota back.
  await assert.rejects(guarded.identify.identify(viewer('k'), { fail: true }), (err) => isAppError(err) && err.code === 'INVALID_IMAGE');
  assert.deepEqual(refunds, ['identify']);
  answer = 'refused';
  await assert.rejects(guarded.identify.identify(viewer('k'), {}), (err) => isAppError(err) && err.code === 'QUOTA_EXCEEDED');
  // A refusal wins over the use case's own error, as when the spend ran first.
  await assert.rejects(guarded.identify.identify(viewer('k'), { fail: true }), (err) => isAppError(err) && err.code === 'QUOTA_EXCEEDED');
  assert.deepEqual(stored, ['event']);
});

test('a tenant refused its daily quota is refused from memory, with the real wait, until the limit changes', async () => {
  let consumed = 0;
  let overrides: object = {};
  const limits = createLimitsService({
    repos: { tenantLimits: { limits: async () => overrides, setLimits: async (_t: string, next: object) => void (overrides = next), countPeople: async () => 0, countFaces: async () => 0 } },
    defaults: { ...DEFAULTS, identifyPerDay: 1 },
    createLimiter: ({ keyPrefix, points, durationSeconds }) => {
      const limiter = new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
      const consume = limiter.consume.bind(limiter);
      limiter.consume = (key, n) => (consumed++, consume(key, n));
      return limiter;
    },
  });
  await limits.spendIdentify(viewer('k'));
  const refusal = (err: unknown) => isAppError(err) && err.code === 'QUOTA_EXCEEDED' && Number(err.details.retryAfterMs) > 23 * 3600_000;
  await assert.rejects(limits.spendIdentify(viewer('k')), refusal);
  const asked = consumed;
  await assert.rejects(limits.spendIdentify(viewer('k')), refusal);
  assert.equal(consumed, asked, 'the second refusal came from memory');
  await limits.updateTenantLimits({ kind: 'platform' }, 'tenant-1', { identifyPerDay: 5 });
  await limits.spendIdentify(viewer('k'));
  assert.equal(consumed, asked + 1);
});
