import { createHash, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;

/**
 * API key secrets look like `vsk_<prefix>_<secret>`. The prefix is public and indexed, so a
 * lookup costs one row. The secret part is 256 random bits, so a slow password hash buys
 * nothing: it is stored as HMAC-SHA-256 keyed by a server secret (`hmac$<base64>`), which a
 * database dump alone cannot test guesses against, and which costs microseconds on the event
 * loop instead of a scrypt run in the libuv pool that sharp and the filesystem share.
 *
 * Keys issued before this change have 192-bit secrets stored as `scrypt$N$r$p$salt$hash`; they
 * keep working and are rehashed to HMAC on their first successful use (`needsRehash`).
 */
const LEGACY_SECRET = /^[A-Za-z0-9_-]{32}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const HMAC_PREFIX = 'hmac$';

export interface GeneratedSecret {
  prefix: string;
  secret: string;
  hash: string;
}

export interface ApiKeyHasher {
  generate(): GeneratedSecret;
  hash(secretPart: string): string;
  /** True when `secretPart` matches `stored`; always does the same HMAC work, whatever `stored` is. */
  verify(secretPart: string, stored: string | undefined): Promise<{ ok: boolean; needsRehash: boolean }>;
}

export function parseApiKeySecret(token: string): { prefix: string; secretPart: string } | null {
  const match = /^vsk_([0-9a-f]{12})_([A-Za-z0-9_-]+)$/.exec(token);
  if (!match || !(SECRET.test(match[2]!) || LEGACY_SECRET.test(match[2]!))) return null;
  return { prefix: match[1]!, secretPart: match[2]! };
}

export function createApiKeyHasher(serverSecret: string): ApiKeyHasher {
  const hmac = (secretPart: string) => createHmac('sha256', serverSecret).update(secretPart).digest();
  // Compared against when the prefix is unknown, so a miss costs what a hit costs.
  const decoy = hmac(randomBytes(32).toString('base64url'));

  return {
    generate() {
      const prefix = randomBytes(6).toString('hex');
      const secretPart = randomBytes(32).toString('base64url');
      return { prefix, secret: `vsk_${prefix}_${secretPart}`, hash: HMAC_PREFIX + hmac(secretPart).toString('base64') };
    },
    hash: (secretPart) => HMAC_PREFIX + hmac(secretPart).toString('base64'),
    async verify(secretPart, stored) {
      const derived = hmac(secretPart);
      if (stored !== undefined && stored.startsWith('scrypt$')) {
        const ok = await verifyScrypt(secretPart, stored);
        return { ok, needsRehash: ok };
      }
      const expected = stored?.startsWith(HMAC_PREFIX) ? Buffer.from(stored.slice(HMAC_PREFIX.length), 'base64') : decoy;
      const ok = expected.length === derived.length && timingSafeEqual(derived, expected) && stored !== undefined;
      return { ok, needsRehash: false };
    },
  };
}

/** Legacy keys only; new keys never take this path. */
async function verifyScrypt(secretPart: string, stored: string): Promise<boolean> {
  const [, n, r, p, saltB64, hashB64] = stored.split('$');
  if (!saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const derived = await scrypt(secretPart, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

/** The scrypt format legacy keys were stored in; kept so tests can create such a key. */
export async function legacyScryptHash(secretPart: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scrypt(secretPart, salt, 32, { N: 16384, r: 8, p: 1 });
  return ['scrypt', 16384, 8, 1, salt.toString('base64'), derived.toString('base64')].join('$');
}

/** Constant-time comparison for the platform admin token. */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** A fingerprint of a whole bearer token, for in-memory lookups that must not keep the secret itself. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
