import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { assertNever } from '../auth/index.js';

/** Whether PostgreSQL answers, as this process last saw it. */
export type DatabaseState =
  | { readonly kind: 'reachable' }
  | { readonly kind: 'unreachable'; readonly since: number; readonly cause: string };

export interface DatabaseOutageOptions {
  /** How long identify may answer from memory once the database stopped answering. */
  graceMs: number;
  /** Cheap round trip (SELECT 1) that resolves once the database answers again. */
  probe: () => Promise<void>;
  probeIntervalMs?: number;
  /** A probe that hangs (packets dropped during a failover) counts as failed after this. */
  probeTimeoutMs?: number;
  logger: Logger;
  now?: () => number;
  onChange?: (state: DatabaseState) => void;
}

/** Seconds a client should wait before retrying a SERVICE_UNAVAILABLE answer. */
export const RETRY_AFTER_SECONDS = 5;

export function serviceUnavailable(message: string): AppError {
  return new AppError('SERVICE_UNAVAILABLE', message, { retryAfterSeconds: RETRY_AFTER_SECONDS });
}

/**
 * Tracks database outages. Any caller that sees a connection error reports it; from then on the
 * hot path stops trying the database (a failover can make every attempt wait for a timeout) and a
 * probe alone finds out when it answers again. Start and end are logged once each.
 */
export class DatabaseOutage {
  private current: DatabaseState = { kind: 'reachable' };
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private readonly now: () => number;
  private readonly listeners: ((state: DatabaseState) => void)[] = [];

  constructor(private readonly options: DatabaseOutageOptions) {
    this.now = options.now ?? Date.now;
    if (options.onChange) this.listeners.push(options.onChange);
  }

  state(): DatabaseState {
    return this.current;
  }

  /** True while the database is considered unreachable. */
  degraded(): boolean {
    return this.current.kind === 'unreachable';
  }

  onChange(listener: (state: DatabaseState) => void): void {
    this.listeners.push(listener);
  }

  reportUnreachable(err: unknown): void {
    if (this.current.kind === 'unreachable') return;
    const cause = err instanceof Error ? err.message.trim().split('\n').pop()!.slice(0, 200) : String(err);
    this.current = { kind: 'unreachable', since: this.now(), cause };
    this.options.logger.warn({ cause, graceMs: this.options.graceMs }, 'database unreachable: identify answers from memory and buffers its events');
    this.emit();
    this.scheduleProbe();
  }

  /**
   * Throws SERVICE_UNAVAILABLE unless a degraded answer is still allowed: the database is
   * reachable, or it has been unreachable for less than the grace.
   */
  assertWithinGrace(what: string): void {
    if (this.withinGrace()) return;
    const elapsed = this.current.kind === 'unreachable' ? this.now() - this.current.since : 0;
    throw serviceUnavailable(`The database has been unreachable for ${Math.round(elapsed / 1000)} s, longer than ${what} can be served from memory; retry in a few seconds.`);
  }

  /** True while degraded answers are allowed: reachable, or unreachable for less than the grace. */
  withinGrace(): boolean {
    const s = this.current;
    switch (s.kind) {
      case 'reachable':
        return true;
      case 'unreachable':
        return this.now() - s.since < this.options.graceMs;
      default:
        return assertNever(s);
    }
  }

  stop(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => void this.probeOnce(), this.options.probeIntervalMs ?? 500);
    this.probeTimer.unref();
  }

  private async probeOnce(): Promise<void> {
    if (this.probing || this.current.kind !== 'unreachable') return;
    const since = this.current.since;
    this.probing = true;
    const timeoutMs = this.options.probeTimeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.options.probe(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`probe timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      this.current = { kind: 'reachable' };
      this.options.logger.warn({ outageMs: this.now() - since }, 'database reachable again');
      this.emit();
    } catch {
      this.scheduleProbe();
    } finally {
      clearTimeout(timer);
      this.probing = false;
    }
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.current);
  }
}
