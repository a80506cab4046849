import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Registry } from 'prom-client';
import type { Config } from '../config/index.js';
import { isDatabaseUnreachable, type Database, type Repositories } from '../db/index.js';
import type { Logger } from '../logger.js';
import type { Authenticate } from '../auth/index.js';
import { withOutageKeyCache } from '../auth/outage-key-cache.js';
import { EventBuffer } from '../events/event-buffer.js';
import { replayInsert, withBufferedEvents } from '../events/buffered-event-sink.js';
import { DatabaseOutage } from './database-outage.js';
import { withLastKnownReads } from './last-known-reads.js';
import { outagePlugin } from './outage-plugin.js';

export interface OutageHandling {
  /** The repositories the use cases get: identify's reads and event writes survive an outage. */
  repos: Repositories;
  authenticator(inner: Authenticate): Authenticate;
  plugin: ApolloServerPlugin;
  reportUnreachable(err: unknown): void;
  /**
   * Wraps a background task's error logger: a connection error reports the outage (logged once at
   * its start and end) instead of a warning per failed attempt.
   */
  unlessUnreachable(log: (err: unknown) => void): (err: unknown) => void;
  /** For readiness: true when this error is an outage still within its grace. */
  tolerate(err: unknown): boolean;
  stop(): Promise<void>;
}

/**
 * Wires the outage parts together once, for the composition root. Opens the event buffer of
 * `<dataDir>/event-buffer.jsonl` and writes what a previous process left in it before returning,
 * so a process killed during an outage delivers its events before it reports ready.
 */
export async function startOutageHandling(deps: { db: Database; repos: Repositories; config: Config; logger: Logger; registry: Registry }): Promise<OutageHandling> {
  const { db, config, logger } = deps;
  const outage = new DatabaseOutage({
    graceMs: config.dbOutageGraceMs,
    probeTimeoutMs: config.dbConnectTimeoutMs,
    probe: async () => {
      await db.pool.query('SELECT 1');
    },
    logger,
  });
  const { buffer, tornLines } = await EventBuffer.open({
    file: path.resolve(config.dataDir, 'event-buffer.jsonl'),
    maxEvents: config.eventBufferMaxEvents,
    insert: replayInsert(deps.repos, logger),
  });
  if (tornLines > 0) logger.warn({ tornLines }, 'event buffer: skipped lines cut short by a crash (never acknowledged)');
  if (buffer.pending() > 0) {
    const events = buffer.pending();
    await buffer.drain();
    logger.warn({ events }, 'wrote recognition events buffered by a previous process');
  }
  const reportUnreachable = (err: unknown) => outage.reportUnreachable(err);
  return {
    repos: withBufferedEvents(withLastKnownReads(deps.repos, outage), outage, buffer, logger),
    authenticator: (inner) => withOutageKeyCache(inner, outage, { ttlMs: config.outageKeyTtlMs }),
    plugin: outagePlugin(outage, deps.registry, () => buffer.pending()),
    reportUnreachable,
    unlessUnreachable: (log) => (err) => (isDatabaseUnreachable(err) ? reportUnreachable(err) : log(err)),
    tolerate(err) {
      if (!isDatabaseUnreachable(err)) return false;
      outage.reportUnreachable(err);
      return outage.withinGrace();
    },
    async stop() {
      outage.stop();
      // A last attempt, so a clean shutdown after the database came back leaves nothing behind.
      if (buffer.pending() > 0 && !outage.degraded()) await buffer.drain().catch(() => undefined);
      await buffer.close();
    },
  };
}
