import { AppError } from '../errors.js';
import type { Repositories } from '../db/index.js';
import { parseApiKeySecret, sha256Hex, tokensEqual, verifySecretPart } from './api-key-secret.js';
import type { Viewer } from './viewer.js';
import { assertKeyUsable } from './key-usable.js';

export interface AuthenticatorOptions {
  adminToken: string | undefined;
  /** lastUsedAt is written at most this often per key, so identify stays read-only. */
  touchIntervalMs?: number;
}

/**
 * Bearer token → Viewer. scrypt is deliberately slow (~50 ms), so a verified secret is
 * remembered by its hash; the key row is still read on every request, so a revocation made by
 * any process takes effect at once.
 */
export function createAuthenticator(repos: Pick<Repositories, 'apiKeys'>, options: AuthenticatorOptions) {
  const verified = new Map<string, string>();
  const lastTouched = new Map<string, number>();
  const touchInterval = options.touchIntervalMs ?? 60_000;

  return async function authenticate(authorization: string | undefined): Promise<Viewer> {
    if (!authorization) return { kind: 'anonymous' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <secret>".');
    const token = match[1]!;
    if (options.adminToken !== undefined && tokensEqual(token, options.adminToken)) return { kind: 'platform' };

    const parsed = parseApiKeySecret(token);
    if (!parsed) throw new AppError('UNAUTHENTICATED', 'This API key is not valid.');
    const key = await repos.apiKeys.byPrefixForAuth(parsed.prefix);
    if (!key) throw new AppError('UNAUTHENTICATED', 'This API key is not valid.');
    if (key.revokedAt) throw new AppError('UNAUTHENTICATED', 'This API key has been revoked; ask a tenant admin for a new one.');

    const fingerprint = sha256Hex(token);
    if (verified.get(key.id) !== fingerprint) {
      if (!(await verifySecretPart(parsed.secretPart, key.secretHash))) throw new AppError('UNAUTHENTICATED', 'This API key is not valid.');
      verified.set(key.id, fingerprint);
    }
    assertKeyUsable(key, new Date());

    const now = Date.now();
    if ((lastTouched.get(key.id) ?? 0) + touchInterval < now) {
      lastTouched.set(key.id, now);
      void repos.apiKeys.touch(key.tenantId, key.id, new Date(now)).catch(() => undefined);
    }
    return { kind: 'tenant', tenantId: key.tenantId, keyId: key.id, role: key.role };
  };
}

export type Authenticate = ReturnType<typeof createAuthenticator>;
