import pg from 'pg';
import { ApolloServer } from '@apollo/server';
import type { Config } from './config/index.js';
import type { Logger } from './logger.js';
import { createRepositories, migrate, openDatabase, pendingMigrations, pgFaceIndexSource, type Database } from './db/index.js';
import { createAuthenticator } from './auth/index.js';
import { resolveAdminToken } from './auth/admin-token.js';
import { buildSchema } from './graphql/schema.js';
import { createFormatError } from './graphql/format-error.js';
import { depthLimit } from './graphql/depth-limit.js';
import type { GraphQLContext } from './graphql/context.js';
import { createGraphQLHandler } from './http/graphql-handler.js';
import { createHttpServer } from './http/http-server.js';
import { createServices } from './services.js';
import { readSettings } from './tenants/index.js';
import { createFaceAnalyzer, createFrameAnalyzer, createVision } from './vision/index.js';
import { createModelRegistry, parseCustomModelSpecs } from './embedding/index.js';
import { IndexSync, PgChangeFeed, TenantIndexes, DEFAULT_TENANT_INDEX_OPTIONS } from './gallery/index.js';
import { DEFAULT_ENROLLMENT_POLICY } from './enrollment/index.js';
import { describeTuning, inferenceSettings, modelTunings, onCalibration } from './inference/index.js';
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
  const adminToken = await resolveAdminToken({ configured: config.adminToken, embedded: db.mode === 'embedded', dataDir: config.dataDir }, logger);

  const repos = createRepositories(db);
  const metrics = createMetrics({ tenantLabels: config.metricsTenantLabels, tunings: modelTunings });
  const stopLoggingCalibrations = onCalibration((c) => logger.info({ calibration: c }, `inference tuned: ${c.model} ${describeTuning(c.tuning)} (${c.source})`));
  const sessionOptions = inferenceSettings(config);
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
    index: { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: config.hnswThreshold, hnsw: { ...DEFAULT_TENANT_INDEX_OPTIONS.hnsw, efSearch: config.hnswEfSearch } },
    loadWaitMs: config.indexWaitMs,
    memoryBudgetBytes: config.indexMemoryBudgetMb * 1024 * 1024,
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
      else keys.push({ tenantId: tenant.id, model: readSettings(tenant.settings).model });
    }
    eagerKeys = keys;
    await indexes.preload(keys);
  }

  async function readiness(): Promise<string[]> {
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

  const http = createHttpServer({ graphql, readiness, metrics: () => metrics.render() }, logger);

  return {
    db,
    start: async () => ({ port: await http.listen(config.port, config.host) }),
    async stop() {
      await http.drain(config.shutdownGraceMs);
      await apollo.stop();
      await sync.stop();
      indexes.clear();
      stopLoggingCalibrations();
      await db.close();
    },
  };
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
