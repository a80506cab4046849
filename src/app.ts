import { createServer, type Server } from 'node:http';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import type { Config } from './config/index.js';
import type { Logger } from './logger.js';
import { createRepositories, migrate, openDatabase, pendingMigrations, type Database } from './db/index.js';
import { createAuthenticator } from './auth/index.js';
import { buildSchema } from './graphql/schema.js';
import { createFormatError } from './graphql/format-error.js';
import { depthLimit } from './graphql/depth-limit.js';
import type { GraphQLContext } from './graphql/context.js';
import { createGraphQLHandler } from './http/graphql-handler.js';
import { createServices } from './services.js';
import pg from 'pg';
import { createVision } from './vision/index.js';
import { createModelRegistry, parseCustomModelSpecs } from './embedding/index.js';
import { IndexSync, PgChangeFeed, TenantIndexes, DEFAULT_TENANT_INDEX_OPTIONS } from './index/index.js';
import { pgFaceIndexSource } from './db/index.js';
import { createFaceAnalyzer, createFrameAnalyzer, DEFAULT_ENROLLMENT_POLICY } from './recognition/index.js';
import { createMetrics, type PipelineStage } from './observability/metrics.js';
import { graphqlMetricsPlugin } from './observability/graphql-metrics-plugin.js';

export interface App {
  readonly db: Database;
  /** Resolves with the bound port once the server listens. */
  start(): Promise<{ port: number }>;
  /** Stops accepting, lets in-flight requests finish (bounded), then closes the database. */
  stop(): Promise<void>;
}

/** The composition root: builds every part once and wires them together. */
export async function createApp(config: Config, logger: Logger): Promise<App> {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const { applied } = await migrate(db.pool);
  if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
  const adminToken = await resolveAdminToken(config, db, logger);

  let draining = false;
  const repos = createRepositories(db);
  const metrics = createMetrics({ tenantLabels: config.metricsTenantLabels });
  const sessionOptions = { intraOpThreads: config.ortThreads, inferenceWorkers: config.inferenceWorkers };
  const detection = { minScore: config.minFaceScore, minFaceSize: config.minFaceSize };
  const vision = createVision({ modelsDir: config.modelsDir, ...sessionOptions });
  const models = createModelRegistry({
    modelsDir: config.modelsDir,
    ...sessionOptions,
    ...(config.clipModelPath ? { clipModelPath: config.clipModelPath } : {}),
    customModels: parseCustomModelSpecs(config.customModels),
    clipMargin: config.clipMargin,
    flip: Object.fromEntries(config.flipModels.map((id) => [id, true])),
  });
  const indexes = new TenantIndexes({
    source: pgFaceIndexSource(db.pool),
    index: { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: config.hnswThreshold },
    loadWaitMs: config.indexWaitMs,
    onEvent: (event) => {
      const tenant = config.metricsTenantLabels ? event.key.tenantId : undefined;
      if (event.type === 'loaded' || event.type === 'rebuilt') {
        metrics.setIndexSize(event.key.model, event.faces, tenant);
        metrics.observeIndexLoad(event.key.model, event.ms / 1000);
      }
      if (event.type === 'evicted') metrics.setIndexSize(event.key.model, 0, tenant);
      logger.info({ event: { ...event, error: undefined }, err: 'error' in event ? event.error : undefined }, `index ${event.type}`);
    },
  });
  // Embedded PGlite does not deliver NOTIFY between connections; it is one process, so the
  // in-process refresh after each write is the notification.
  const feed = db.supportsListen
    ? new PgChangeFeed({ createClient: () => new pg.Client({ connectionString: db.url }), onError: (err) => logger.warn({ err }, 'face change feed error') })
    : null;
  const sync = new IndexSync(indexes, { feed, catchUpIntervalMs: config.syncIntervalMs, onError: (err) => logger.warn({ err }, 'index catch-up failed') });
  await sync.start();

  const services = createServices({
    repos,
    knownModels: () => models.ids().filter((id) => models.describe(id).file !== undefined),
    analyze: createFaceAnalyzer({ vision, models, limits: { maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels }, detection }),
    search: (tenantId, model, vector, k) => indexes.search(tenantId, model, vector, k),
    indexChanged: (tenantId, model) => sync.changed(tenantId, model),
    enrollmentPolicy: {
      ...DEFAULT_ENROLLMENT_POLICY,
      maxBatchImages: config.maxBatchImages,
      maxImageBytes: config.maxImageBytes,
      minFaceSizePx: config.enrollMinFaceSize,
      minSharpness: config.enrollMinSharpness,
    },
    maxImageBytes: config.maxImageBytes,
    analyzeFrame: createFrameAnalyzer({ vision, models, detection }),
    video: { ffmpegPath: config.ffmpegPath, timeoutMs: config.ffmpegTimeoutMs, maxBytes: config.maxVideoBytes },
    maxFrames: config.maxFrames,
    onIdentified: (tenantId, decisions, timingsMs) => {
      for (const d of decisions) metrics.countDecision(d, tenantId);
      for (const [stage, ms] of Object.entries(timingsMs)) metrics.observeStage(stage as PipelineStage, ms);
    },
  });
  // Eager tenants resolved to index keys; undefined until their slugs have been looked up.
  let eagerKeys: { tenantId: string; model: string }[] | undefined = config.eagerTenants.length > 0 ? undefined : [];
  if (config.eagerTenants.length > 0) void preloadTenants(config.eagerTenants).catch((err: unknown) => logger.error({ err }, 'eager index load failed'));

  async function preloadTenants(slugs: readonly string[]) {
    const keys: { tenantId: string; model: string }[] = [];
    for (const slug of slugs) {
      const tenant = await repos.tenants.bySlug(slug);
      if (!tenant) logger.warn({ slug }, 'eager tenant not found');
      else keys.push({ tenantId: tenant.id, model: (await services.tenants.settings(tenant.id)).model });
    }
    eagerKeys = keys;
    await indexes.preload(keys);
  }

  async function readiness(): Promise<string[]> {
    if (draining) return ['shutting down'];
    const problems = await readinessProblems(db);
    if (config.readyRequiresIndexes) {
      if (eagerKeys === undefined) problems.push('eager tenants not resolved yet');
      for (const key of eagerKeys ?? []) {
        const state = indexes.state(key.tenantId, key.model);
        if (state !== 'ready' && state !== 'rebuilding') problems.push(`index of tenant ${key.tenantId} (${key.model}) is ${state}`);
      }
    }
    return problems;
  }
  const apollo = new ApolloServer<GraphQLContext>({
    schema: buildSchema(),
    formatError: createFormatError(logger),
    validationRules: [depthLimit(config.maxQueryDepth)],
    plugins: [graphqlMetricsPlugin(metrics)],
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM: it drains HTTP first and stops Apollo last. Apollo's own handler
    // would stop it at once and fail the requests still in flight.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  const graphql = createGraphQLHandler({ apollo, authenticate: createAuthenticator(repos, { adminToken }), services, logger, maxBodyBytes: config.maxBodyBytes });

  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const route = async () => {
      if (url === '/graphql') return graphql(req, res);
      if (url === '/healthz') return json(res, 200, { status: 'ok' });
      if (url === '/metrics') {
        const { contentType, body } = await metrics.render();
        res.writeHead(200, { 'content-type': contentType }).end(body);
        return;
      }
      if (url === '/readyz') {
        const problems = await readiness();
        return json(res, problems.length === 0 ? 200 : 503, { status: problems.length === 0 ? 'ready' : 'not ready', problems });
      }
      return json(res, 404, { error: `No route ${url}; the API is POST /graphql.` });
    };
    route().catch((err: unknown) => {
      logger.error({ err }, 'request failed');
      if (!res.headersSent) json(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    });
  });

  return {
    db,
    start: () =>
      new Promise((resolve) => {
        server.listen(config.port, config.host, () => resolve({ port: (server.address() as AddressInfo).port }));
      }),
    async stop() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections would otherwise hold the drain open until their timeout.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref());
      await Promise.race([closed, grace]);
      clearInterval(sweep);
      server.closeAllConnections();
      await apollo.stop();
      await sync.stop();
      indexes.clear();
      await db.close();
    },
  };
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readinessProblems(db: Database): Promise<string[]> {
  try {
    await db.pool.query('SELECT 1');
  } catch (err) {
    return [`database unreachable: ${(err as Error).message}`];
  }
  const pending = await pendingMigrations(db.pool);
  return pending.length > 0 ? [`migrations not applied: ${pending.join(', ')}`] : [];
}

/**
 * With the embedded database and no configured token, the first start writes a random one to
 * `<dataDir>/admin-token` (mode 600) so `npm start` works out of the box; its value is never logged.
 */
async function resolveAdminToken(config: Config, db: Database, logger: Logger): Promise<string | undefined> {
  if (config.adminToken !== undefined) return config.adminToken;
  if (db.mode !== 'embedded') {
    logger.warn('VISAGE_ADMIN_TOKEN is not set: createTenant and tenants are disabled');
    return undefined;
  }
  const file = path.resolve(config.dataDir, 'admin-token');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 16) {
    logger.info({ file }, 'platform admin token read from file');
    return existing.trim();
  }
  const token = randomBytes(24).toString('base64url');
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  logger.info({ file }, 'generated a platform admin token (VISAGE_ADMIN_TOKEN unset)');
  return token;
}
