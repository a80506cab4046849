import type { ClientConfig } from 'pg';
import * as pgListen from 'pg-listen';
import type { Options, Subscriber } from 'pg-listen';

// pg-listen is CommonJS with `exports.default`: depending on the loader's interop the default
// import is the function itself or the exports object holding it.
type CreateSubscriber = (config: ClientConfig, options?: Options) => Subscriber;
const imported = pgListen.default as unknown as CreateSubscriber | { default: CreateSubscriber };
const createPostgresSubscriber: CreateSubscriber = typeof imported === 'function' ? imported : imported.default;

export type { Subscriber as ListenSubscriber } from 'pg-listen';

export interface ListenRetry {
  /** First wait before reconnecting; it doubles per failed attempt. */
  firstMs: number;
  maxMs: number;
}

/** pg_stat_activity.application_name of the LISTEN connection. */
export const LISTEN_APPLICATION_NAME = 'visage-listen';

const DEFAULT_RETRY: ListenRetry = { firstMs: 500, maxMs: 30_000 };

/**
 * The process's one LISTEN connection, through pg-listen: it reconnects and re-LISTENs every
 * channel by itself, backing off from `retry.firstMs` to `retry.maxMs` and never giving up within
 * a day; "reconnect" is emitted at the first attempt, "connected" once every channel is LISTENed
 * again. Every feed (face changes, read-cache evictions, live events) adds its channel to it:
 * a NOTIFY wakes each listening backend of the database, so one connection per process instead
 * of one per feed is both fewer connections and less work per notification.
 *
 * Payloads arrive as the raw text: each feed parses its own channel's, so a payload one feed
 * cannot read never reaches the shared "error" event, which is left to a lost connection.
 */
export function listenSubscriber(url: string, retry: ListenRetry = DEFAULT_RETRY): Subscriber {
  return createPostgresSubscriber(
    // Named, so an operator (or a test) finds it in pg_stat_activity.
    { connectionString: url, application_name: LISTEN_APPLICATION_NAME },
    { parse: (text: string) => text, retryTimeout: 24 * 3600_000, retryInterval: (n: number) => Math.min(retry.firstMs * 2 ** n, retry.maxMs) },
  );
}

/**
 * LISTENs on `channel` and hands each of its payloads to `handle` as text ('' for a notice without
 * one); resolves to what stops the handling (the LISTEN itself ends with the connection).
 */
export async function listenOn(subscriber: Subscriber, channel: string, handle: (text: string) => void): Promise<() => void> {
  const handler = (payload: unknown) => handle(typeof payload === 'string' ? payload : '');
  subscriber.notifications.on(channel, handler);
  await subscriber.listenTo(channel);
  return () => subscriber.notifications.removeListener(channel, handler);
}
