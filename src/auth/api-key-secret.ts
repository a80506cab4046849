import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;

/**
 * API key secrets look like `vsk_<prefix>_<secret>`. The prefix is public and indexed, so a
 * lookup costs one row; only a salted scrypt hash of the secret part is stored.
 */
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

export interface GeneratedSecret {
  prefix: string;
  secret: string;
  hash: string;
}

export async function generateApiKeySecret(): Promise<GeneratedSecret> {
  const prefix = randomBytes(6).toString('hex');
  const secretPart = randomBytes(24).toString('base64url');
  return { prefix, secret: `vsk_${prefix}_${secretPart}`, hash: await hashSecretPart(secretPart) };
}

export function parseApiKeySecret(token: string): { prefix: string; secretPart: string } | null {
  const match = /^vsk_([0-9a-f]{12})_([A-Za-z0-9_-]{32})$/.exec(token);
  return match ? { prefix: match[1]!, secretPart: match[2]! } : null;
}

async function hashSecretPart(secretPart: string): Promise<string> {
  const salt = randomBytes(16);
  const derived = await scrypt(secretPart, salt, KEY_LENGTH, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), derived.toString('base64')].join('$');
}

export async function verifySecretPart(secretPart: string, stored: string): Promise<boolean> {
  const [algo, n, r, p, saltB64, hashB64] = stored.split('$');
  if (algo !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const derived = await scrypt(secretPart, Buffer.from(saltB64, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

/** Constant-time comparison for the platform admin token. */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
