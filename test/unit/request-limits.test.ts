import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createLimitsService } from '../../src/quotas/limits-service.js';
import type { TenantLimits } from '../../src/quotas/tenant-limits.js';
import type { TenantViewer } from '../../src/auth/index.js';
import { isAppError } from '../../src/errors.js';

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
