import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RecognitionDecision } from '../domain/recognition-decision.js';

export type GraphQLOutcome = 'ok' | 'error';
export type Decision = RecognitionDecision;
/** The identify path's timed stages: metric labels and the GraphQL Timings fields. */
export const PIPELINE_STAGES = ['decode', 'detect', 'align', 'embed', 'search', 'total'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** One loaded tenant index, as the index registry reports it at scrape time. */
export interface IndexSize {
  tenantId: string;
  model: string;
  faces: number;
}

/** The ONNX Runtime settings a model runs with; medianMs is 0 when config pinned them untimed. */
export interface ModelTuning {
  model: string;
  graphLevel: string;
  intraOpThreads: number;
  source: string;
  medianMs: number;
}

export interface MetricsOptions {
  /** Label decisions and index sizes by tenant id. Off by default: tenant ids are unbounded. */
  tenantLabels: boolean;
  /**
   * The GraphQL operation names worth a label of their own (e.g. the names the schema's clients
   * use). Others become `anonymous`. Without a list, the first `maxOperationNames` valid names
   * seen are kept, so a client inventing names cannot grow the label set without bound.
   */
  operationNames?: Iterable<string>;
  maxOperationNames?: number;
  /** Read at every scrape; summed per model (per tenant and model with tenant labels). */
  indexSizes?: () => Iterable<IndexSize>;
  /** Read at every scrape: the session tuning chosen for each loaded model. */
  tunings?: () => Iterable<ModelTuning>;
  /** Process metrics (memory, CPU, handles, GC) and event-loop lag; on unless false. */
  defaultMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  observeGraphQL(operationName: string | null | undefined, outcome: GraphQLOutcome, seconds: number): void;
  countDecision(decision: Decision, tenantId?: string): void;
  observeStage(stage: PipelineStage, ms: number): void;
  /** Records a tenant index's size; 0 forgets it (an evicted index). Summed with `indexSizes`. */
  setIndexSize(model: string, faces: number, tenantId?: string): void;
  observeIndexLoad(model: string, seconds: number): void;
  /** Index snapshot outcomes: written, write-failed, or rejected (with why: then the index is rebuilt). */
  countSnapshot(outcome: 'written' | 'write-failed' | 'rejected', reason?: string): void;
  /** The GET /metrics response. */
  render(): Promise<{ contentType: string; body: string }>;
}

export const ANONYMOUS_OPERATION = 'anonymous';
const DEFAULT_MAX_OPERATION_NAMES = 100;
// Label value when tenant labels are on but the caller had no tenant (the platform admin).
const NO_TENANT = 'none';
// GraphQL's Name rule; anything else cannot be an operation name and is not worth a label.
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

// Seconds. GraphQL requests range from a cached lookup to an identify over a large image.
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// Seconds. Pipeline stages run from sub-millisecond (search) to a few hundred ms (detect on CPU).
const STAGE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
// Seconds. Loading a tenant index reads every vector from PostgreSQL: milliseconds to minutes.
const INDEX_LOAD_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The Prometheus metrics of one server, in a registry of their own (never prom-client's global
 * one), so tests and several servers in one process do not collide.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const tenantLabels = options.tenantLabels;
  const operationLabel = operationLabeller(options.operationNames, options.maxOperationNames ?? DEFAULT_MAX_OPERATION_NAMES);

  const requests = new Counter({
    name: 'visage_graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome (error when the response carries errors).',
    labelNames: ['operation', 'outcome'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'visage_graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation name and outcome.',
    labelNames: ['operation', 'outcome'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const decisions = new Counter({
    name: 'visage_identify_decisions_total',
    help: 'Identification decisions by outcome' + (tenantLabels ? ' and tenant.' : '.'),
    labelNames: tenantLabels ? (['decision', 'tenant'] as const) : (['decision'] as const),
    registers,
  });
  const stages = new Histogram({
    name: 'visage_pipeline_stage_duration_seconds',
    help: 'Face pipeline latency by stage (total is the whole identify or enroll image).',
    labelNames: ['stage'] as const,
    buckets: STAGE_BUCKETS,
    registers,
  });
  const indexLoad = new Histogram({
    name: 'visage_index_load_duration_seconds',
    help: 'Time to build a tenant index from the database, by embedding model.',
    labelNames: ['model'] as const,
    buckets: INDEX_LOAD_BUCKETS,
    registers,
  });

  const reported = new Map<string, IndexSize>();
  const currentSizes = (): IndexSize[] => [...reported.values(), ...(options.indexSizes?.() ?? [])];
  const indexLabels = tenantLabels ? (['model', 'tenant'] as const) : (['model'] as const);
  const labelsOf = (s: IndexSize) => (tenantLabels ? { model: s.model, tenant: s.tenantId } : { model: s.model });
  // Set at scrape time from the current indexes, after a reset, so an evicted index's series
  // disappears instead of lingering at its last value.
  new Gauge({
    name: 'visage_index_faces',
    help: 'Faces in the loaded in-memory indexes, by embedding model' + (tenantLabels ? ' and tenant.' : ' (summed over tenants).'),
    labelNames: indexLabels,
    registers,
    collect() {
      this.reset();
      for (const s of currentSizes()) this.inc(labelsOf(s), s.faces);
    },
  });
  new Gauge({
    name: 'visage_indexes_loaded',
    help: 'Tenant indexes held in memory, by embedding model.',
    labelNames: ['model'] as const,
    registers,
    collect() {
      this.reset();
      for (const s of currentSizes()) this.inc({ model: s.model });
    },
  });

  new Gauge({
    name: 'visage_inference_tuning_run_ms',
    help: 'ONNX Runtime settings chosen per model (labels), valued at the median run time measured for them on the warm-up input; 0 when pinned by config.',
    labelNames: ['model', 'graph_level', 'intra_op_threads', 'source'] as const,
    registers,
    collect() {
      this.reset();
      for (const t of options.tunings?.() ?? []) {
        this.set({ model: t.model, graph_level: t.graphLevel, intra_op_threads: String(t.intraOpThreads), source: t.source }, t.medianMs);
      }
    },
  });

  const snapshots = new Counter({
    name: 'visage_index_snapshots_total',
    help: 'Index snapshots written, failed to write, or rejected on load (reason: format, checksum, count, unreadable; the index was rebuilt from the database).',
    labelNames: ['outcome', 'reason'] as const,
    registers,
  });

  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  return {
    registry,
    observeGraphQL(operationName, outcome, seconds) {
      const labels = { operation: operationLabel(operationName), outcome };
      requests.inc(labels);
      requestDuration.observe(labels, seconds);
    },
    countDecision(decision, tenantId) {
      decisions.inc(tenantLabels ? { decision, tenant: tenantId ?? NO_TENANT } : { decision });
    },
    observeStage(stage, ms) {
      stages.observe({ stage }, ms / 1000);
    },
    setIndexSize(model, faces, tenantId) {
      const key = JSON.stringify([model, tenantId ?? NO_TENANT]);
      if (faces > 0) reported.set(key, { model, faces, tenantId: tenantId ?? NO_TENANT });
      else reported.delete(key);
    },
    observeIndexLoad(model, seconds) {
      indexLoad.observe({ model }, seconds);
    },
    countSnapshot(outcome, reason) {
      snapshots.inc({ outcome, reason: reason ?? '' });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** Maps a request's operation name to a bounded set of label values. */
function operationLabeller(allowed: Iterable<string> | undefined, max: number): (name: string | null | undefined) => string {
  const known = new Set(allowed ?? []);
  const fixed = allowed !== undefined;
  return (name) => {
    if (!name || !GRAPHQL_NAME.test(name)) return ANONYMOUS_OPERATION;
    if (known.has(name)) return name;
    if (fixed || known.size >= max) return ANONYMOUS_OPERATION;
    known.add(name);
    return name;
  };
}
