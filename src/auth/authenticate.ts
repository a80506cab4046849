import { AppError } from '../errors.js';
import type { Repositories } from '../db/index.js';
import { parseApiKeySecret, tokensEqual, type ApiKeyHasher } from './api-key-secret.js';
import type { Viewer } from './viewer.js';
import type { AuthThrottle } from './auth-throttle.js';
import { assertKeyUsable } from './key-usable.js';

export interface AuthenticatorOptions {
  adminToken: string | undefined;
  hasher: ApiKeyHasher;
  /** lastUsedAt is written at most this often per key, so identify stays read-only. */
  touchIntervalMs?: number;
}

const INVALID = 'This API key is not valid.';

/**
 * Bearer token → Viewer. The key row (with the tenant's status and settings) comes from
 * `repos.apiKeys.byPrefixForAuth`, which with PostgreSQL is served from memory and evicted by
 * PostgreSQL's notifications (src/db/cached-repositories.ts): a revocation, suspension or settings
 * change made by any process takes effect here within a notification's delivery, at once when made
 * by this process, and the cache is bypassed while its listener is disconnected. Only the read is
 * cached: every check below (secret, revocation, expiry, tenant status) runs on every request.
 * Every way of failing before the secret verifies (unknown prefix,
 * wrong secret, revoked key) costs the same HMAC and says the same thing: only the holder of the
 * secret learns that the key was revoked.
 */
export function createAuthenticator(repos: Pick<Repositories, 'apiKeys'>, options: AuthenticatorOptions) {
  const lastTouched = new Map<string, number>();
  const touchInterval = options.touchIntervalMs ?? 60_000;

  /** With a throttle, a key prefix with too many recent failures is refused with RATE_LIMITED unless its secret verifies. */
  return async function authenticate(authorization: string | undefined, throttle?: Pick<AuthThrottle, 'prefixBlockedMs'>): Promise<Viewer> {
    if (!authorization) return { kind: 'anonymous' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <secret>".');
    const token = match[1]!;
    if (options.adminToken !== undefined && tokensEqual(token, options.adminToken)) return { kind: 'platform' };

    const parsed = parseApiKeySecret(token);
    if (!parsed) throw new AppError('UNAUTHENTICATED', INVALID);
    const key = await repos.apiKeys.byPrefixForAuth(parsed.prefix);
    const blockedMs = (await throttle?.prefixBlockedMs(parsed.prefix)) ?? 0;
    // A legacy scrypt key under a flood of wrong secrets is not verified at all: that slow hash
    // in the libuv pool is what the flood would otherwise buy.
    if (blockedMs > 0 && key?.secretHash.startsWith('scrypt$')) throw throttled(blockedMs);
    const { ok, needsRehash } = await options.hasher.verify(parsed.secretPart, key?.secretHash);
    if (!key || !ok) throw blockedMs > 0 ? throttled(blockedMs) : new AppError('UNAUTHENTICATED', INVALID);
    if (key.revokedAt) throw new AppError('UNAUTHENTICATED', 'This API key has been revoked; ask a tenant admin for a new one.');
    if (needsRehash) await repos.apiKeys.replaceSecretHash(key.tenantId, key.id, key.secretHash, options.hasher.hash(parsed.secretPart));
    assertKeyUsable(key, new Date());

    const now = Date.now();
    if ((lastTouched.get(key.id) ?? 0) + touchInterval < now) {
      lastTouched.set(key.id, now);
      void repos.apiKeys.touch(key.tenantId, key.id, new Date(now)).catch(() => undefined);
    }
    return { kind: 'tenant', tenantId: key.tenantId, keyId: key.id, role: key.role, tenantSettings: key.tenant.settings, ...(key.galleryIds.length > 0 ? { galleryIds: key.galleryIds } : {}) };
  };
}

function throttled(retryAfterMs: number): AppError {
  return new AppError('RATE_LIMITED', 'Too many failed authentications with this key; wait before retrying.', { retryAfterMs: Math.ceil(retryAfterMs) });
}

export type Authenticate = ReturnType<typeof createAuthenticator>;
