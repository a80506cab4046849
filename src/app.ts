import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import type { Config } from './config/index.js';
import type { Logger } from './logger.js';
import { createReadCaches, createRepositories, indexSnapshotRepository, listenSubscriber, localEventFeed, pgEventFeed, pgFaceChangeFeed, pgReadCacheFeed, withReadCaches, limiterFactory, migrate, openDatabase, pendingMigrations, pgFaceIndexSource, type Database } from './db/index.js';
import { createApiKeyHasher, createAuthenticator } from './auth/index.js';
import { createAuthThrottle } from './auth/auth-throttle.js';
import { resolveKeyHashSecret } from './auth/key-hash-secret.js';
import { createLimitsService } from './quotas/limits-service.js';
import { createRequestAuth } from './http/request-auth.js';
import { createAbuseMetrics } from './observability/abuse-metrics.js';
import { resolveAdminToken } from './auth/admin-token.js';
import { buildSchema } from './graphql/schema.js';
import { createFormatError } from './graphql/format-error.js';
import { queryLimitRules } from './limits/query-limits.js';
import { pipelineCallsPlugin } from './limits/pipeline-calls-plugin.js';
import { createAdmission } from './limits/admission.js';
import { inputGuardPlugin } from './limits/input-guard-plugin.js';
import { httpStatusPlugin } from './graphql/http-status-plugin.js';
import type { GraphQLContext } from './graphql/context.js';
import { createGraphQLHandler } from './http/graphql-handler.js';
import { createHttpServer } from './http/http-server.js';
import { createMetricsServer } from './http/metrics-server.js';
import { createExportRoutes } from './http/export-routes.js';
import { createConsoleRoute } from './http/console-route.js';
import { createSseRoute } from './http/sse-route.js';
import { createLiveEvents } from './events/live-events.js';
import { publishingEvents } from './events/publishing-events.js';
import { createServices } from './services.js';
import { createLifecycleRuntime } from './lifecycle/lifecycle-runtime.js';
import { readSettings } from './tenants/index.js';
import { createFaceAnalyzer, createFrameAnalyzer, createVision, createWorkerAnalyzers } from './vision/index.js';
import { createModelRegistry, newTenantModel, parseCustomModelSpecs } from './embedding/index.js';
import { IndexSync, TenantIndexes, DEFAULT_TENANT_INDEX_OPTIONS, directorySnapshotStore, postgresSnapshotStore, searchGalleries, type IndexKey, type SnapshotStore } from './gallery/index.js';
import { DEFAULT_ENROLLMENT_POLICY } from './enrollment/index.js';
import { describeTuning, inferenceSettings, modelTunings, onCalibration } from './inference/index.js';
import { createMetrics, type PipelineStage } from './observability/metrics.js';
import { graphqlMetricsPlugin } from './observability/graphql-metrics-plugin.js';
import { startOutageHandling } from './outage/outage-handling.js';

export interface App {
  readonly db: Database;
  /** Resolves with the bound ports (API, metrics) once both listen. */
  start(): Promise<{ port: number; metricsPort: number }>;
  /** Stops accepting, lets in-flight requests finish (bounded), then closes the database. */
  stop(): Promise<void>;
}

/** The composition root: builds every part once and wires them together. */
export async function createApp(config: Config, logger: Logger): Promise<App> {
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, connectTimeoutMs: config.dbConnectTimeoutMs });
  const { applied } = await migrate(db.pool);
  if (applied.length > 0) logger.info({ applied }, 'applied database migrations');
  const adminToken = await resolveAdminToken({ configured: config.adminToken, embedded: db.mode === 'embedded', dataDir: config.dataDir }, logger);

  const secretOptions = { embedded: db.mode === 'embedded', dataDir: config.dataDir };
  const apiKeyHasher = createApiKeyHasher(await resolveKeyHashSecret({ configured: config.keyHashSecret, ...secretOptions }, logger));

  // One LISTEN connection for the process: face changes, read-cache evictions and live events.
  // Not with the embedded database: PGlite does not deliver NOTIFY between connections.
  const listener = db.supportsListen ? listenSubscriber(db.url) : null;
  if (listener) {
    listener.events.on('error', (err) => logger.error({ err }, 'LISTEN connection given up: notifications stop until restart; the periodic catch-up still runs'));
    listener.events.on('reconnect', (attempt) => {
      if (attempt === 1) logger.warn('LISTEN connection lost; reconnecting');
    });
    await listener.connect();
  }

  // The key and person reads served from memory, evicted by PostgreSQL's notifications (README,
  // Authentication: "Read caches"). Not with the embedded database: PGlite does not deliver
  // NOTIFY, and a write by raw SQL in this process would go unheard, so it reads through as before.
  const readCaches = db.supportsListen && config.readCacheTtlMs > 0 ? createReadCaches({ maxEntries: config.readCacheEntries, ttlMs: config.readCacheTtlMs }) : null;
  const readCacheFeed =
    readCaches &&
    listener &&
    pgReadCacheFeed(listener, {
      onInvalidate: (invalidation) => readCaches.apply(invalidation),
      onLive: (live) => readCaches.setLive(live),
      onError: (err) => logger.warn({ err }, 'read cache feed error'),
    });
  await readCacheFeed?.start();
  const storedRepos = readCaches ? withReadCaches(createRepositories(db), readCaches) : createRepositories(db);
  // Index sizes are read from the live indexes at each scrape, so adds and deletes show at once.
  const metrics = createMetrics({ tenantLabels: config.metricsTenantLabels, indexSizes: () => indexes.sizes(), tunings: modelTunings });
  const stopLoggingCalibrations = onCalibration((c) => logger.info({ calibration: c }, `inference tuned: ${c.model} ${describeTuning(c.tuning)} (${c.source})`));
  // Before the server listens: events a killed process left buffered are written first.
  const outage = await startOutageHandling({ db, repos: storedRepos, config, logger, registry: metrics.registry });
  // Live events: NOTIFY across replicas; the embedded database is one process, so in-process.
  const live = createLiveEvents({
    feed: listener ? pgEventFeed(listener) : localEventFeed(),
    load: (tenantId, ids) => storedRepos.events.byIds(tenantId, ids),
    onError: (err) => logger.warn({ err }, 'live event delivery failed'),
  });
  await live.start();
  // On PostgreSQL the insert statement itself announces new events (db/event-repository.ts).
  const repos = db.supportsListen ? outage.repos : { ...outage.repos, events: publishingEvents(outage.repos.events, live.published) };
  const abuseMetrics = createAbuseMetrics(metrics.registry);
  const limits = createLimitsService({
    repos,
    createLimiter: limiterFactory(db),
    defaults: {
      requestsPerSecondPerKey: config.rateKeyPerSecond,
      requestsPerSecondPerTenant: config.rateTenantPerSecond,
      identifyPerDay: config.quotaIdentifyPerDay,
      enrolledImagesPerDay: config.quotaEnrolledImagesPerDay,
      maxPeople: config.quotaPeople,
      maxFaces: config.quotaFaces,
    },
    onRejected: (limit) => abuseMetrics.countLimitRejection(limit),
  });
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
  const snapshotStore = snapshotStoreFor(config, db);
  const indexes = new TenantIndexes({
    source: pgFaceIndexSource(db.pool),
    index: { ...DEFAULT_TENANT_INDEX_OPTIONS, hnswAbove: config.hnswThreshold, hnsw: { m: config.hnswM, efConstruction: config.hnswEfConstruction, efSearch: config.hnswEfSearch, storage: config.hnswStorage } },
    loadWaitMs: config.indexWaitMs,
    memoryBudgetBytes: config.indexMemoryBudgetMb * 1024 * 1024,
    snapshots: snapshotStore && { store: snapshotStore, minFaces: config.snapshotMinFaces, everyChanges: config.snapshotEveryChanges },
    onEvent: (event) => {
      if (event.type === 'loaded' || event.type === 'rebuilt') metrics.observeIndexLoad(event.key.model, event.ms / 1000);
      if (event.type === 'snapshot-written' || event.type === 'snapshot-write-failed') metrics.countSnapshot(event.type === 'snapshot-written' ? 'written' : 'write-failed');
      if (event.type === 'snapshot-rejected') metrics.countSnapshot('rejected', event.problem);
      logger.info({ event: { ...event, error: undefined }, err: 'error' in event ? event.error : undefined }, `index ${event.type}`);
    },
  });
  // Embedded PGlite does not deliver NOTIFY between connections; it is one process, so the
  // in-process refresh after each write is the notification.
  const feed = listener && pgFaceChangeFeed(listener);
  const sync = new IndexSync(indexes, { feed, catchUpIntervalMs: config.syncIntervalMs, onError: outage.unlessUnreachable((err) => logger.warn({ err }, 'index catch-up failed')) });
  await sync.start();
  const lifecycle = createLifecycleRuntime({ db, repos, config, indexes, snapshots: snapshotStore, logger });

  // Every image and video frame passes one bounded queue before decode and inference.
  const admission = createAdmission({ concurrency: config.inferenceConcurrency, maxWaiting: config.inferenceQueue, maxWaitMs: config.inferenceQueueWaitMs });
  const decodeLimits = { maxBytes: config.maxImageBytes, maxPixels: config.maxImagePixels, maxSide: config.decodeMaxSide };
  // With inference workers, every image runs decode → embed in one of them; with 0, on this thread.
  const pipelineWorkers =
    config.inferenceWorkers > 0 ? createWorkerAnalyzers({ workers: config.inferenceWorkers, modelsDir: config.modelsDir, session: sessionOptions, models, limits: decodeLimits, detection }) : undefined;
  const startModel = newTenantModel(models, config.newTenantModel);
  if (startModel.unavailable) logger.warn({ wanted: config.newTenantModel, missing: startModel.unavailable, using: startModel.id }, 'new tenants start on the fp32 face model: the configured one is not on disk');
  const services = createServices({
    repos,
    apiKeyHasher,
    limits,
    knownModels: () => models.ids().filter((id) => models.describe(id).file !== undefined),
    newTenantModel: startModel.id,
    analyze: admission.wrap(pipelineWorkers?.analyze ?? createFaceAnalyzer({ vision, models, limits: decodeLimits, detection })),
    search: (scope, vector, k) => searchGalleries(indexes, scope, vector, k),
    indexChanged: (tenantId, model) => sync.changed(tenantId, model),
    enrollmentPolicy: {
      ...DEFAULT_ENROLLMENT_POLICY,
      maxBatchImages: config.maxBatchImages,
      maxImageBytes: config.maxImageBytes,
      minFaceSizePx: config.enrollMinFaceSize,
      minSharpness: config.enrollMinSharpness,
    },
    maxImageBytes: config.maxImageBytes,
    analyzeFrame: admission.wrap(pipelineWorkers?.analyzeFrame ?? createFrameAnalyzer({ vision, models, detection })),
    video: { ffmpegPath: config.ffmpegPath, timeoutMs: config.ffmpegTimeoutMs, maxBytes: config.maxVideoBytes },
    maxFrames: config.maxFrames,
    requestDeletion: (tenantId) => lifecycle.jobs.requestDeletion(tenantId),
    dropIndexes: (tenantId) => indexes.drop(tenantId),
    live,
    onIdentified: (tenantId, decisions, timingsMs) => {
      for (const d of decisions) metrics.countDecision(d, tenantId);
      for (const [stage, ms] of Object.entries(timingsMs)) metrics.observeStage(stage as PipelineStage, ms);
    },
  });
  // Eager tenants resolved to index keys (their default galleries); undefined until their slugs have been looked up.
  let eagerKeys: IndexKey[] | undefined = config.eagerTenants.length > 0 ? undefined : [];
  if (config.eagerTenants.length > 0) void preloadTenants(config.eagerTenants).catch((err: unknown) => logger.error({ err }, 'eager index load failed'));

  async function preloadTenants(slugs: readonly string[]) {
    const keys: IndexKey[] = [];
    for (const slug of slugs) {
      const tenant = await repos.tenants.bySlug(slug);
      if (!tenant) logger.warn({ slug }, 'eager tenant not found');
      else {
        const { model, defaultGalleryIds } = readSettings(tenant.settings);
        keys.push(...defaultGalleryIds.map((galleryId) => ({ tenantId: tenant.id, galleryId, model })));
      }
    }
    eagerKeys = keys;
    await indexes.preload(keys);
  }

  async function readiness(): Promise<string[]> {
    const problems = await readinessProblems(db, outage.tolerate);
    if (config.readyRequiresIndexes) {
      if (eagerKeys === undefined) problems.push('eager tenants not resolved yet');
      for (const key of eagerKeys ?? []) {
        const state = indexes.state(key);
        if (state !== 'ready' && state !== 'rebuilding') problems.push(`index of tenant ${key.tenantId}, gallery ${key.galleryId} (${key.model}) is ${state}`);
      }
    }
    return problems;
  }
  const schema = buildSchema();
  const formatError = createFormatError(logger, { hideSuggestions: !config.introspection, onDatabaseUnreachable: outage.reportUnreachable });
  const queryRules = queryLimitRules({ maxDepth: config.maxQueryDepth, maxAliases: config.maxAliases, maxDirectives: config.maxDirectives, maxCost: config.maxQueryCost });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    validationRules: queryRules,
    parseOptions: { maxTokens: config.maxTokens },
    introspection: config.introspection,
    // "Did you mean …" in validation errors maps the schema for a caller who may not introspect it.
    hideSchemaDetailsFromClientErrors: !config.introspection,
    plugins: [graphqlMetricsPlugin(metrics), outage.plugin, inputGuardPlugin(), pipelineCallsPlugin(), httpStatusPlugin()],
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM: it drains HTTP first and stops Apollo last. Apollo's own handler
    // would stop it at once and fail the requests still in flight.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  const authenticateRequest = createRequestAuth({
    authenticate: outage.authenticator(createAuthenticator(storedRepos, { adminToken, hasher: apiKeyHasher })),
    throttle: createAuthThrottle({ failuresPerMinutePerAddress: config.authFailuresPerAddress, failuresPerMinutePerKey: config.authFailuresPerKey }),
    limits,
    metrics: abuseMetrics,
    logger,
    trustedProxies: config.trustedProxies,
  });
  const graphql = createGraphQLHandler({ apollo, authenticateRequest, services, logger, maxBodyBytes: config.maxBodyBytes, maxUploadFiles: Math.max(config.maxBatchImages, config.maxFrames) });
  const exports = createExportRoutes({ authenticateRequest, services, logger });
  const stream = createSseRoute({ schema, authenticateRequest, services, formatError, validationRules: queryRules, logger });

  const http = createHttpServer({ graphql, readiness, exports, stream, console: createConsoleRoute({ logger }) }, logger);
  const metricsServer = createMetricsServer(() => metrics.render(), logger);
  await lifecycle.start();

  return {
    db,
    start: async () => ({ port: await http.listen(config.port, config.host), metricsPort: await metricsServer.listen(config.metricsPort, config.host) }),
    async stop() {
      await http.drain(config.shutdownGraceMs);
      await metricsServer.close();
      await apollo.stop();
      await lifecycle.stop();
      await live.stop();
      await sync.stop();
      await readCacheFeed?.stop();
      await listener?.close();
      await outage.stop();
      indexes.clear();
      stopLoggingCalibrations();
      await pipelineWorkers?.close();
      await db.close();
    },
  };
}

/** `tolerate` says whether an unreachable database still leaves the process ready (the outage grace). */
async function readinessProblems(db: Database, tolerate: (err: unknown) => boolean): Promise<string[]> {
  try {
    await db.pool.query('SELECT 1');
  } catch (err) {
    return tolerate(err) ? [] : [`database unreachable: ${(err as Error).message}`];
  }
  const pending = await pendingMigrations(db.pool);
  return pending.length > 0 ? [`migrations not applied: ${pending.join(', ')}`] : [];
}

/** The configured index snapshot store (README, Large galleries), or null when snapshots are off. */
function snapshotStoreFor(config: Config, db: Database): SnapshotStore | null {
  switch (config.snapshotStore) {
    case 'off':
      return null;
    case 'directory':
      return directorySnapshotStore(config.snapshotDir ?? path.join(config.dataDir, 'snapshots'));
    case 'postgres':
      return postgresSnapshotStore(indexSnapshotRepository(db.pool), path.join(config.dataDir, 'snapshot-scratch'));
  }
}
