/**
 * Every environment variable the server reads, with its default and its meaning. This table
 * is the documentation: `npm run config:docs` prints it as the README's configuration table.
 */
import { availableParallelism } from 'node:os';
import { GRAPH_LEVELS, type GraphLevel } from './graph-level.js';
import { HNSW_STORAGES } from './hnsw-storage.js';
import { LIFECYCLE_CONFIG_KEYS } from './lifecycle-keys.js';
import { SNAPSHOT_CONFIG_KEYS } from './snapshot-keys.js';
import { parseBool, parseBytes, parseFloatIn, parseIntIn, parseList, parseOneOf, parseSecret, parseString } from './parsers.js';

export interface ConfigKey<T> {
  readonly env: string;
  readonly doc: string;
  /** Shown in the docs; `undefined` means optional with no default. */
  readonly defaultText: string | undefined;
  readonly parse: (raw: string | undefined) => T;
}

function key<T>(env: string, defaultText: string | undefined, doc: string, parse: (raw: string | undefined) => T): ConfigKey<T> {
  return { env, doc, defaultText, parse };
}

export const CONFIG_KEYS = {
  port: key('PORT', '4000', 'HTTP port for /graphql, /healthz and /readyz (/metrics has VISAGE_METRICS_PORT).', (r) => parseIntIn(r, 4000, 0, 65535)),
  host: key('HOST', '0.0.0.0', 'Interface to listen on.', (r) => parseString(r, '0.0.0.0')),
  databaseUrl: key(
    'DATABASE_URL',
    undefined,
    'PostgreSQL (with pgvector) connection string. Unset: an embedded PGlite database under VISAGE_DATA_DIR (single process only).',
    (r) => (r === undefined || r === '' ? undefined : r),
  ),
  dataDir: key('VISAGE_DATA_DIR', './data', 'Where the embedded database (and a generated admin token) live when DATABASE_URL is unset.', (r) => parseString(r, './data')),
  adminToken: key(
    'VISAGE_ADMIN_TOKEN',
    undefined,
    'Platform admin bearer token (createTenant, tenants). Unset with the embedded database: one is generated into VISAGE_DATA_DIR/admin-token. Unset with DATABASE_URL: platform admin is disabled.',
    (r) => parseSecret(r, 16),
  ),
  keyHashSecret: key(
    'VISAGE_KEY_HASH_SECRET',
    undefined,
    'Server secret keying the HMAC-SHA-256 of API key secrets (32+ characters; the same on every replica; changing it invalidates every key). Required with DATABASE_URL; unset with the embedded database: one is generated into VISAGE_DATA_DIR/key-hash-secret.',
    (r) => parseSecret(r, 32),
  ),
  logLevel: key('VISAGE_LOG_LEVEL', 'info', 'pino log level: fatal, error, warn, info, debug, trace or silent.', (r) => {
    const v = parseString(r, 'info');
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v)) throw new Error(`unknown level "${v}"`);
    return v;
  }),
  maxBodyBytes: key('VISAGE_MAX_BODY_BYTES', '100mb', 'Largest accepted HTTP request body (base64 images and videos count 4/3 of their size; as multipart file parts, their size).', (r) => parseBytes(r, 100 * 1024 * 1024)),
  maxQueryDepth: key('VISAGE_MAX_QUERY_DEPTH', '12', 'Deepest GraphQL selection accepted, in nested selection sets (QUERY_TOO_DEEP past it).', (r) => parseIntIn(r, 12, 2, 100)),
  authFailuresPerAddress: key('VISAGE_AUTH_FAILURES_PER_ADDRESS', '30', 'Failed authentications per minute from one client address before it gets RATE_LIMITED (HTTP 429) until the minute ends.', (r) => parseIntIn(r, 30, 1, 1_000_000)),
  authFailuresPerKey: key('VISAGE_AUTH_FAILURES_PER_KEY', '10', 'Failed authentications per minute naming one key prefix before wrong secrets for it get RATE_LIMITED (HTTP 429) until the minute ends.', (r) => parseIntIn(r, 10, 1, 1_000_000)),
  trustedProxies: key('VISAGE_TRUSTED_PROXIES', '0', 'Reverse proxies in front of the server; the client address for throttling is read that many hops from the right of X-Forwarded-For (0: the socket peer).', (r) => parseIntIn(r, 0, 0, 10)),
  rateKeyPerSecond: key('VISAGE_RATE_KEY_PER_SECOND', '100', 'Default requests per second per API key (RATE_LIMITED, HTTP 429); a tenant may be given another with updateTenantLimits.', (r) => parseIntIn(r, 100, 0, 1_000_000_000)),
  rateTenantPerSecond: key('VISAGE_RATE_TENANT_PER_SECOND', '300', 'Default requests per second per tenant, all its keys together (RATE_LIMITED, HTTP 429).', (r) => parseIntIn(r, 300, 0, 1_000_000_000)),
  quotaIdentifyPerDay: key('VISAGE_QUOTA_IDENTIFY_PER_DAY', '100000', 'Default identify, identifyFrames and identifyVideo calls per tenant per 24 h window (QUOTA_EXCEEDED, HTTP 429).', (r) => parseIntIn(r, 100_000, 0, 1_000_000_000)),
  quotaEnrolledImagesPerDay: key('VISAGE_QUOTA_ENROLLED_IMAGES_PER_DAY', '10000', 'Default images sent to enrollment per tenant per 24 h window; a video counts its maxFrames (QUOTA_EXCEEDED, HTTP 429).', (r) => parseIntIn(r, 10_000, 0, 1_000_000_000)),
  quotaPeople: key('VISAGE_QUOTA_PEOPLE', '100000', 'Default most people per tenant (QUOTA_EXCEEDED, HTTP 429).', (r) => parseIntIn(r, 100_000, 0, 1_000_000_000)),
  quotaFaces: key('VISAGE_QUOTA_FACES', '1000000', 'Default most enrolled faces per tenant (QUOTA_EXCEEDED, HTTP 429).', (r) => parseIntIn(r, 1_000_000, 0, 1_000_000_000)),
  modelsDir: key('VISAGE_MODELS_DIR', './models', 'Folder with the face ONNX models (filled by scripts/fetch-models.sh).', (r) => parseString(r, './models')),
  newTenantModel: key(
    'VISAGE_NEW_TENANT_MODEL',
    'face-arcface-512-int8',
    'Embedding model a new tenant starts with (existing tenants keep theirs). When its file is missing, as the int8 model is until npm run models:quantize has run, new tenants get face-arcface-512 and a warning is logged at start.',
    (r) => parseString(r, 'face-arcface-512-int8'),
  ),
  clipModelPath: key('VISAGE_CLIP_MODEL', undefined, 'Path to a CLIP ViT-B/32 vision encoder in ONNX; enables the clip-vit-b32 model.', (r) => (r === '' ? undefined : r)),
  customModels: key(
    'VISAGE_CUSTOM_MODELS',
    undefined,
    'JSON array of extra embedding models: [{"id","file","inputSize","mean","std","dim"}] (see README, Models).',
    (r) => (r === undefined || r === '' ? [] : (JSON.parse(r) as unknown[])),
  ),
  inferenceWorkers: key(
    'VISAGE_INFERENCE_WORKERS',
    'auto',
    'Worker threads that each run whole images (decode, detect, align, embed); auto = the number of cores. onnxruntime-node runs a session on the calling thread, so with 0 all of it runs on the event loop and concurrent requests cannot use the second core.',
    (r) => (r === undefined || r === '' || r === 'auto' ? Math.max(1, availableCores()) : parseIntIn(r, 2, 0, 64)),
  ),
  minFaceScore: key('VISAGE_MIN_FACE_SCORE', '0.7', 'Detector probability below which a face is ignored.', (r) => parseFloatIn(r, 0.7, 0, 1)),
  minFaceSize: key('VISAGE_MIN_FACE_SIZE', '20', 'Shorter side of a face box, in pixels, below which a face is ignored.', (r) => parseIntIn(r, 20, 1, 10_000)),
  enrollMinFaceSize: key('VISAGE_ENROLL_MIN_FACE_SIZE', '32', 'Enrollment rejects a face smaller than this (pixels, shorter side) as LOW_QUALITY.', (r) => parseIntIn(r, 32, 1, 10_000)),
  enrollMinSharpness: key('VISAGE_ENROLL_MIN_SHARPNESS', '5', 'Enrollment rejects a face whose aligned crop has a Laplacian variance below this as LOW_QUALITY (blur).', (r) => parseFloatIn(r, 5, 0, 1_000_000)),
  flipModels: key('VISAGE_FLIP_MODELS', '', 'Comma-separated embedding model ids that also embed the mirrored face and average the two (measured: no gain for face-arcface-512, twice the cost).', (r) => parseList(r)),
  clipMargin: key('VISAGE_CLIP_MARGIN', '0.2', 'Margin added around the face box before the CLIP crop, as a share of the box size.', (r) => parseFloatIn(r, 0.2, 0, 2)),
  ortThreads: key(
    'VISAGE_ORT_THREADS',
    'auto',
    'ONNX Runtime intra-op threads per session; auto = calibrated per model between 1 and cores / inference workers (src/inference/tune-session.ts). A number pins it.',
    (r) => (r === undefined || r === '' || r === 'auto' ? undefined : parseIntIn(r, 1, 1, 64)),
  ),
  ortGraphLevel: key(
    'VISAGE_ORT_GRAPH_LEVEL',
    'auto',
    'ONNX Runtime graph optimisation level: auto (calibrated per model among extended and all), or disabled, basic, extended, all to pin it.',
    (r): GraphLevel | undefined => {
      if (r === undefined || r === '' || r === 'auto') return undefined;
      if (!(GRAPH_LEVELS as readonly string[]).includes(r)) throw new Error(`"${r}" is not auto, ${GRAPH_LEVELS.join(', ')}`);
      return r as GraphLevel;
    },
  ),
  ortCalibration: key('VISAGE_ORT_CALIBRATION', 'true', 'Time the candidate session settings of each model at load and keep the fastest; false uses the pins or all / 1 thread.', (r) => parseBool(r, true)),
  ortCalibrationBudgetMs: key('VISAGE_ORT_CALIBRATION_BUDGET_MS', '600', 'Time one model’s calibration may take, session builds included (the identify path loads three models).', (r) => parseIntIn(r, 600, 50, 60_000)),
  ortCalibrationFile: key(
    'VISAGE_ORT_CALIBRATION_FILE',
    'VISAGE_DATA_DIR/ort-calibration.json',
    'Where measured calibrations are remembered, keyed by model hash, CPU model and ONNX Runtime version; off = measure at every start.',
    (r): string | undefined | 'off' => (r === undefined || r === '' ? undefined : r),
  ),
  maxImageBytes: key('VISAGE_MAX_IMAGE_BYTES', '15mb', 'Largest encoded image accepted.', (r) => parseBytes(r, 15 * 1024 * 1024)),
  maxImagePixels: key('VISAGE_MAX_IMAGE_PIXELS', '40000000', 'Largest decoded image (width × height) accepted; guards against decompression bombs.', (r) => parseIntIn(r, 40_000_000, 1, 1_000_000_000)),
  maxBatchImages: key('VISAGE_MAX_BATCH_IMAGES', '20', 'Most images in one addEnrollmentImages or enrollFaces call.', (r) => parseIntIn(r, 20, 1, 1000)),
  maxFrames: key('VISAGE_MAX_FRAMES', '16', 'Most frames in one identifyFrames call.', (r) => parseIntIn(r, 16, 1, 1000)),
  maxVideoBytes: key('VISAGE_MAX_VIDEO_BYTES', '50mb', 'Largest encoded video accepted.', (r) => parseBytes(r, 50 * 1024 * 1024)),
  hnswThreshold: key('VISAGE_HNSW_THRESHOLD', '200000', 'Faces above which a tenant index switches from exact flat search to HNSW.', (r) => parseIntIn(r, 200_000, 1, 1_000_000_000)),
  indexMemoryBudgetMb: key(
    'VISAGE_INDEX_MEMORY_BUDGET_MB',
    '0',
    'Least recently used tenant indexes are dropped (and reloaded on demand) while their total estimate exceeds this; 0 = no limit.',
    (r) => parseIntIn(r, 0, 0, 10_000_000),
  ),
  // 32 and 100, not the cheaper 16 and 64: at 1M clustered faces (bench:index, idle) 16/64 kept
  // voter recall 0.814 at ef 256, 32/100 0.993. Missed voters are wrong answers; a slow build is
  // not. With fp16 storage and the patched faiss, 32/100 builds 1M in 8.5 min (23.3 min before).
  hnswM: key('VISAGE_INDEX_HNSW_M', '32', 'HNSW graph degree of new builds: memory per face, build time and recall (see npm run bench:hnsw-tune).', (r) => parseIntIn(r, 32, 4, 128)),
  hnswEfConstruction: key(
    'VISAGE_INDEX_HNSW_EF_CONSTRUCTION',
    '100',
    'HNSW build beam width: build time against recall (see npm run bench:hnsw-tune).',
    (r) => parseIntIn(r, 100, 8, 4096),
  ),
  hnswStorage: key(
    'VISAGE_INDEX_HNSW_STORAGE',
    'fp16',
    'How new HNSW builds store vectors: flat (float32, exact distances), fp16 (half precision: half the memory, distances within ~1e-3) or sq8 (8-bit, a quarter of the memory, distances approximate; see README, Memory per million faces).',
    (r) => parseOneOf(r, HNSW_STORAGES, 'fp16'),
  ),
  // 512: at 1M clustered faces (fp16, patched faiss) recall@10 0.961 and voter recall 0.996 at
  // 3.0 ms p50, where 256 kept 0.948 / 0.991 at 1.4 ms.
  hnswEfSearch: key(
    'VISAGE_INDEX_HNSW_EF_SEARCH',
    '512',
    'HNSW search depth of new builds: higher is more exact and slower (see npm run bench:index).',
    (r) => parseIntIn(r, 512, 1, 100_000),
  ),
  indexWaitMs: key('VISAGE_INDEX_WAIT_MS', '30000', 'How long a request waits for a loading index before INDEX_UNAVAILABLE.', (r) => parseIntIn(r, 30_000, 1, 3_600_000)),
  syncIntervalMs: key('VISAGE_SYNC_INTERVAL_MS', '5000', 'Period of the catch-up that repairs a missed face-change notification.', (r) => parseIntIn(r, 5000, 100, 3_600_000)),
  readCacheEntries: key(
    'VISAGE_READ_CACHE_ENTRIES',
    '10000',
    'Most API keys, and most people, each process keeps in memory for authentication and identify (evicted on change through PostgreSQL notifications; not used with the embedded database).',
    (r) => parseIntIn(r, 10_000, 1, 10_000_000),
  ),
  readCacheTtlMs: key(
    'VISAGE_READ_CACHE_TTL_MS',
    '30000',
    'Longest an API key or person is served from memory before it is read again, even without a change notification. 0 turns these caches off.',
    (r) => parseIntIn(r, 30_000, 0, 3_600_000),
  ),
  eagerTenants: key('VISAGE_EAGER_TENANTS', '', 'Comma-separated tenant slugs whose indexes load at start-up.', (r) => parseList(r)),
  readyRequiresIndexes: key('VISAGE_READY_REQUIRES_INDEXES', 'false', '/readyz waits for the eager tenants’ indexes.', (r) => parseBool(r, false)),
  metricsTenantLabels: key('VISAGE_METRICS_TENANT_LABELS', 'false', 'Label metrics by tenant id (unbounded cardinality; off by default).', (r) => parseBool(r, false)),
  shutdownGraceMs: key('VISAGE_SHUTDOWN_GRACE_MS', '10000', 'On SIGTERM, how long in-flight requests may take before the process exits.', (r) => parseIntIn(r, 10_000, 0, 600_000)),
  dbConnectTimeoutMs: key(
    'VISAGE_DB_CONNECT_TIMEOUT_MS',
    '5000',
    'Longest wait for a new PostgreSQL connection before the attempt counts as the database being unreachable (a failover can drop packets instead of refusing).',
    (r) => parseIntIn(r, 5000, 100, 600_000),
  ),
  dbOutageGraceMs: key(
    'VISAGE_DB_OUTAGE_GRACE_MS',
    '60000',
    'While PostgreSQL is unreachable, identify keeps answering from memory (buffering events) for this long; after it, identify answers SERVICE_UNAVAILABLE too. 0 disables degraded identify.',
    (r) => parseIntIn(r, 60_000, 0, 3_600_000),
  ),
  outageKeyTtlMs: key(
    'VISAGE_OUTAGE_KEY_TTL_MS',
    '300000',
    'During a database outage, an API key is accepted from memory only if the database confirmed it within this time (a key revoked during the outage works until the database is back).',
    (r) => parseIntIn(r, 300_000, 0, 86_400_000),
  ),
  eventBufferMaxEvents: key(
    'VISAGE_EVENT_BUFFER_MAX_EVENTS',
    '100000',
    'Most recognition events held in the local buffer (VISAGE_DATA_DIR/event-buffer.jsonl) while the database is unreachable; when full, identify answers SERVICE_UNAVAILABLE.',
    (r) => parseIntIn(r, 100_000, 1, 100_000_000),
  ),
  ffmpegPath: key('VISAGE_FFMPEG', 'ffmpeg', 'ffmpeg binary used to decode videos.', (r) => parseString(r, 'ffmpeg')),
  ffmpegTimeoutMs: key('VISAGE_FFMPEG_TIMEOUT_MS', '60000', 'Longest a video decode may run before it is killed.', (r) => parseIntIn(r, 60_000, 100, 3_600_000)),
  // Hostile traffic (issue 11): query shape, admission to inference, schema exposure, metrics port.
  maxAliases: key('VISAGE_MAX_ALIASES', '20', 'Most field aliases in one GraphQL operation (QUERY_TOO_COMPLEX past it).', (r) => parseIntIn(r, 20, 0, 1000)),
  maxDirectives: key('VISAGE_MAX_DIRECTIVES', '20', 'Most directives in one GraphQL operation (QUERY_TOO_COMPLEX past it).', (r) => parseIntIn(r, 20, 0, 1000)),
  maxTokens: key('VISAGE_MAX_TOKENS', '2000', 'Most lexical tokens in one GraphQL document; the parser stops there (GRAPHQL_PARSE_FAILED).', (r) => parseIntIn(r, 2000, 100, 1_000_000)),
  maxQueryCost: key(
    'VISAGE_MAX_QUERY_COST',
    '5000',
    'Largest estimated cost of one operation (graphql-armor cost-limit: objects 2, scalars 1, ×1.5 per level, × `first`); QUERY_TOO_COMPLEX past it.',
    (r) => parseIntIn(r, 5000, 10, 10_000_000),
  ),
  inferenceConcurrency: key('VISAGE_INFERENCE_CONCURRENCY', '2', 'Images (or video frame batches) analysed at once; the rest wait in the admission queue.', (r) => parseIntIn(r, 2, 1, 256)),
  inferenceQueue: key('VISAGE_INFERENCE_QUEUE', '32', 'Most images waiting for inference; past it a request gets SERVER_BUSY (HTTP 503, Retry-After).', (r) => parseIntIn(r, 32, 0, 100_000)),
  inferenceQueueWaitMs: key('VISAGE_INFERENCE_QUEUE_WAIT_MS', '15000', 'Longest an image waits in the admission queue before SERVER_BUSY.', (r) => parseIntIn(r, 15_000, 1, 600_000)),
  decodeMaxSide: key(
    'VISAGE_DECODE_MAX_SIDE',
    '2560',
    'Longer side, in pixels, a photo is decoded to at most (JPEG/WebP shrink on load); detection sees 320×240 and alignment 112×112, so faces the detector can find stay sharper than the aligner needs.',
    (r) => parseIntIn(r, 2560, 320, 20_000),
  ),
  introspection: key('VISAGE_INTROSPECTION', 'false', 'Allow schema introspection and "Did you mean" suggestions in errors (development only).', (r) => parseBool(r, false)),
  metricsPort: key('VISAGE_METRICS_PORT', '9464', 'Port of the Prometheus /metrics listener, apart from the API port (0 picks a free one).', (r) => parseIntIn(r, 9464, 0, 65535)),
  ...LIFECYCLE_CONFIG_KEYS,
  ...SNAPSHOT_CONFIG_KEYS,
} as const;

function availableCores(): number {
  return availableParallelism();
}

export type ConfigKeys = typeof CONFIG_KEYS;
export type Config = { readonly [K in keyof ConfigKeys]: ReturnType<ConfigKeys[K]['parse']> };
