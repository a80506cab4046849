import { LRUCache } from 'lru-cache';
import { isDatabaseUnreachable } from '../db/index.js';
import { isAppError } from '../errors.js';
import { serviceUnavailable, type DatabaseOutage } from '../outage/database-outage.js';
import { sha256Hex } from './api-key-secret.js';
import type { Authenticate } from './authenticate.js';
import type { TenantViewer, Viewer } from './viewer.js';

export interface OutageKeyCacheOptions {
  /** A key is accepted from memory only if the database confirmed it this recently. */
  ttlMs: number;
  /** Most keys remembered (least recently used go first). */
  maxKeys?: number;
}

/**
 * Wraps the authenticator so that identify keeps working while PostgreSQL is unreachable.
 *
 * In normal operation every request still goes through the inner authenticator (whose key read
 * is evicted on every change, src/db/cached-repositories.ts), so a revocation is seen within a
 * notification's delivery; this cache only records which keys the database
 * confirmed and when. While the database is unreachable, a key confirmed within `ttlMs` is
 * accepted from memory. The trade-off: a key revoked during the outage (by another process,
 * once its write can land) keeps working here until the database answers again.
 * Entries are keyed by the SHA-256 of the bearer token; the secret itself is never stored.
 */
export function withOutageKeyCache(inner: Authenticate, outage: DatabaseOutage, options: OutageKeyCacheOptions): Authenticate {
  const confirmed = new LRUCache<string, { viewer: TenantViewer; at: number }>({ max: options.maxKeys ?? 10_000 });

  function fromMemory(fingerprint: string): Viewer {
    outage.assertWithinGrace('an API key');
    const entry = confirmed.get(fingerprint);
    if (!entry || Date.now() - entry.at > options.ttlMs) {
      throw serviceUnavailable('The database is unreachable and this API key was not verified recently enough to be accepted from memory; retry in a few seconds.');
    }
    return entry.viewer;
  }

  return async function authenticate(authorization: string | undefined, throttle?: Parameters<Authenticate>[1]): Promise<Viewer> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    const fingerprint = token === undefined ? undefined : sha256Hex(token);
    if (fingerprint !== undefined && outage.degraded() && confirmed.has(fingerprint)) return fromMemory(fingerprint);
    try {
      const viewer = await inner(authorization, throttle);
      if (fingerprint !== undefined && viewer.kind === 'tenant') confirmed.set(fingerprint, { viewer, at: Date.now() });
      return viewer;
    } catch (err) {
      if (fingerprint === undefined) throw err;
      if (isAppError(err)) {
        // Unknown or revoked: it must not be accepted from memory later either.
        if (err.code === 'UNAUTHENTICATED') confirmed.delete(fingerprint);
        throw err;
      }
      if (!isDatabaseUnreachable(err)) throw err;
      outage.reportUnreachable(err);
      return fromMemory(fingerprint);
    }
  };
}
