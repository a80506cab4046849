import { RateLimiterMemory } from 'rate-limiter-flexible';

export interface AuthThrottleOptions {
  failuresPerMinutePerAddress: number;
  failuresPerMinutePerKey: number;
}

export interface AuthThrottle {
  /** Milliseconds until this client address may try again; 0 when it may now. */
  addressBlockedMs(address: string): Promise<number>;
  /** Milliseconds until this key prefix may be tried again with a wrong secret; 0 when it may now. */
  prefixBlockedMs(prefix: string): Promise<number>;
  recordFailure(address: string, prefix: string | undefined): Promise<void>;
}

const WINDOW_SECONDS = 60;

/**
 * Failed authentications counted per client address and per key prefix (prefixes that exist or
 * not alike, so the throttle reveals nothing). Held in this process's memory on purpose: what it
 * protects is this process's CPU and libuv pool, and checking it must cost no database round
 * trip, or a flood of bad keys would load PostgreSQL instead.
 */
export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const addresses = new RateLimiterMemory({ keyPrefix: 'auth-address', points: options.failuresPerMinutePerAddress, duration: WINDOW_SECONDS });
  const prefixes = new RateLimiterMemory({ keyPrefix: 'auth-prefix', points: options.failuresPerMinutePerKey, duration: WINDOW_SECONDS });
  const blockedMs = async (limiter: RateLimiterMemory, points: number, key: string) => {
    const res = await limiter.get(key);
    return res && res.consumedPoints >= points ? Math.max(1, res.msBeforeNext) : 0;
  };
  return {
    addressBlockedMs: (address) => blockedMs(addresses, options.failuresPerMinutePerAddress, address),
    prefixBlockedMs: (prefix) => blockedMs(prefixes, options.failuresPerMinutePerKey, prefix),
    async recordFailure(address, prefix) {
      // penalty() counts without rejecting: the refusal is decided by the *BlockedMs checks.
      await addresses.penalty(address, 1);
      if (prefix !== undefined) await prefixes.penalty(prefix, 1);
    },
  };
}
