import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/logger.js';
import { createApp, type App } from '../../src/app.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const ADMIN_TOKEN = 'test-platform-admin-token-0123456789';
/** Shared by every server of a test, so replicas verify each other's keys. */
export const KEY_HASH_SECRET = 'test-key-hash-secret-0123456789abcdef';

export interface GraphQLResult<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; field?: string; [k: string]: unknown } }[];
}

export interface TestServer {
  url: string;
  /** The Prometheus listener, on its own port. */
  metricsUrl: string;
  app: App;
  database: TestDatabase;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResult<T>>;
  stop(): Promise<void>;
}

/**
 * The real server (real database, real models) on a loopback port, configured through the
 * same loader as production: `env` holds the variables a deployer would set.
 */
export async function startTestServer(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestServer> {
  const db = database ?? (await createTestDatabase());
  const config = loadConfig({
    PORT: '0',
    VISAGE_METRICS_PORT: '0',
    HOST: '127.0.0.1',
    VISAGE_ADMIN_TOKEN: ADMIN_TOKEN,
    VISAGE_KEY_HASH_SECRET: KEY_HASH_SECRET,
    // Tests fire cheap requests back to back with one key; the suites about limits set a
    // tenant's own with updateTenantLimits.
    VISAGE_RATE_KEY_PER_SECOND: '100000',
    VISAGE_RATE_TENANT_PER_SECOND: '100000',
    // The suites' distances and thresholds are the fp32 model's, whether or not this machine has
    // generated the int8 one; new-tenant-model.test.ts covers the production default.
    VISAGE_NEW_TENANT_MODEL: 'face-arcface-512',
    VISAGE_LOG_LEVEL: process.env.VISAGE_TEST_LOG_LEVEL ?? 'silent',
    VISAGE_DATA_DIR: db.dataDir,
    ...(db.url ? { DATABASE_URL: db.url } : {}),
    ...env,
  });
  const app = await createApp(config, createLogger(config.logLevel));
  const { port, metricsPort } = await app.start();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    app,
    database: db,
    async gql(query, variables, token) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as Omit<GraphQLResult, 'status'>;
      return { status: res.status, ...body } as GraphQLResult<any>;
    },
    async stop() {
      await app.stop();
      if (!database) await db.drop();
    },
  };
}
