import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncomingMessage } from 'node:http';
import { createApiKeyHasher, legacyScryptHash, parseApiKeySecret } from '../../src/auth/api-key-secret.js';
import { createAuthThrottle } from '../../src/auth/auth-throttle.js';
import { clientAddress } from '../../src/http/client-address.js';
import { effectiveLimits, mergeOverrides, type TenantLimits } from '../../src/quotas/tenant-limits.js';

describe('API key hasher', () => {
  const hasher = createApiKeyHasher('unit-test-server-secret-0123456789abcdef');

  it('issues 256-bit secrets stored as an HMAC that only the same server secret verifies', async () => {
    const { secret, hash } = hasher.generate();
    const parsed = parseApiKeySecret(secret)!;
    assert.equal(Buffer.from(parsed.secretPart, 'base64url').length, 32);
    assert.match(hash, /^hmac\$/);
    assert.deepEqual(await hasher.verify(parsed.secretPart, hash), { ok: true, needsRehash: false });
    assert.equal((await hasher.verify(parsed.secretPart.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), hash)).ok, false);
    const other = createApiKeyHasher('another-server-secret-0123456789abcdef');
    assert.equal((await other.verify(parsed.secretPart, hash)).ok, false);
  });

  it('refuses an unknown prefix (no stored hash) after the same HMAC work', async () => {
    assert.deepEqual(await hasher.verify('A'.repeat(43), undefined), { ok: false, needsRehash: false });
  });

  it('verifies a legacy scrypt hash and asks for a rehash only when it matched', async () => {
    const stored = await legacyScryptHash('L'.repeat(32));
    assert.deepEqual(await hasher.verify('L'.repeat(32), stored), { ok: true, needsRehash: true });
    assert.deepEqual(await hasher.verify('M'.repeat(32), stored), { ok: false, needsRehash: false });
  });

  it('parses new and legacy secrets only', () => {
    assert.equal(parseApiKeySecret(`vsk_0123456789ab_${'A'.repeat(43)}`)?.prefix, '0123456789ab');
    assert.equal(parseApiKeySecret(`vsk_0123456789ab_${'A'.repeat(32)}`)?.prefix, '0123456789ab');
    assert.equal(parseApiKeySecret(`vsk_0123456789ab_${'A'.repeat(40)}`), null);
    assert.equal(parseApiKeySecret('vsk_nothex000000_' + 'A'.repeat(43)), null);
  });
});

describe('failed-authentication throttle', () => {
  it('blocks an address and a prefix once their failures reach the limit, independently', async () => {
    const throttle = createAuthThrottle({ failuresPerMinutePerAddress: 3, failuresPerMinutePerKey: 2 });
    await throttle.recordFailure('10.0.0.1', 'aaaaaaaaaaaa');
    assert.equal(await throttle.prefixBlockedMs('aaaaaaaaaaaa'), 0);
    await throttle.recordFailure('10.0.0.2', 'aaaaaaaaaaaa');
    assert.ok((await throttle.prefixBlockedMs('aaaaaaaaaaaa')) > 0);
    assert.equal(await throttle.addressBlockedMs('10.0.0.1'), 0);
    await throttle.recordFailure('10.0.0.1', undefined);
    await throttle.recordFailure('10.0.0.1', undefined);
    const ms = await throttle.addressBlockedMs('10.0.0.1');
    assert.ok(ms > 0 && ms <= 60_000);
    assert.equal(await throttle.addressBlockedMs('10.0.0.2'), 0);
  });
});

describe('client address', () => {
  const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

  it('is the socket peer unless proxies are trusted, then the entry that many hops from the right', () => {
    assert.equal(clientAddress(req('10.0.0.9', '1.1.1.1'), 0), '10.0.0.9');
    assert.equal(clientAddress(req('10.0.0.9', 'forged, 2.2.2.2'), 1), '2.2.2.2');
    assert.equal(clientAddress(req('10.0.0.9', 'forged, 3.3.3.3, 10.0.0.8'), 2), '3.3.3.3');
    assert.equal(clientAddress(req('10.0.0.9'), 1), '10.0.0.9');
  });
});

describe('tenant limits', () => {
  const defaults: TenantLimits = { requestsPerSecondPerKey: 100, requestsPerSecondPerTenant: 300, identifyPerDay: 1000, enrolledImagesPerDay: 50, maxPeople: 10, maxFaces: 100 };

  it('applies valid stored overrides over the defaults and ignores invalid ones', () => {
    assert.deepEqual(effectiveLimits({ maxPeople: 3, identifyPerDay: -1, maxFaces: 'x' }, defaults), { ...defaults, maxPeople: 3 });
    assert.deepEqual(effectiveLimits(null, defaults), defaults);
  });

  it('merges an update: a number overrides, null restores the default, absent keeps', () => {
    assert.deepEqual(mergeOverrides({ maxPeople: 3, maxFaces: 7 }, { maxPeople: null, identifyPerDay: 0 }), { maxFaces: 7, identifyPerDay: 0 });
    assert.throws(() => mergeOverrides({}, { maxFaces: 1.5 }), (err: { code?: string; details?: { field?: string } }) => err.code === 'BAD_USER_INPUT' && err.details?.field === 'maxFaces');
  });
});
