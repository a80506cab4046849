import type { ClientConfig } from 'pg';
import * as pgListen from 'pg-listen';
import type { Options, Subscriber } from 'pg-listen';

// pg-listen is CommonJS with `exports.default`: depending on the loader's interop the default
// import is the function itself or the exports object holding it.
type CreateSubscriber = (config: ClientConfig, options?: Options) => Subscriber;
const imported = pgListen.default as unknown as CreateSubscriber | { default: CreateSubscriber };
const createPostgresSubscriber: CreateSubscriber = typeof imported === 'function' ? imported : imported.default;

/**
 * A pg-listen subscriber on its own connection, as every feed of notifications uses it: it
 * reconnects and re-LISTENs by itself, backing off from 0.5 s to 30 s and never giving up within a day.
 */
export function listenSubscriber(url: string): Subscriber {
  return createPostgresSubscriber({ connectionString: url }, { retryTimeout: 24 * 3600_000, retryInterval: (n: number) => Math.min(500 * 2 ** n, 30_000) });
}
