import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics, type IndexSize } from '../../src/observability/metrics.js';

const TENANT_A = '0b7f2c1e-1111-4aaa-8bbb-000000000001';
const TENANT_B = '0b7f2c1e-2222-4aaa-8bbb-000000000002';

/** The value of one sample line, e.g. `name{a="x"} 3`; undefined when the series is absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('counts GraphQL requests and their latency per operation name and outcome', async () => {
    const m = createMetrics({ tenantLabels: false, defaultMetrics: false });
    m.observeGraphQL('Identify', 'ok', 0.2);
    m.observeGraphQL('Identify', 'ok', 0.03);
    m.observeGraphQL('Identify', 'error', 0.01);
    const { body, contentType } = await m.render();
    assert.match(contentType, /^text\/plain/);
    assert.equal(sample(body, 'visage_graphql_requests_total{operation="Identify",outcome="ok"}'), 2);
    assert.equal(sample(body, 'visage_graphql_requests_total{operation="Identify",outcome="error"}'), 1);
    assert.equal(sample(body, 'visage_graphql_request_duration_seconds_count{operation="Identify",outcome="ok"}'), 2);
    assert.equal(sample(body, 'visage_graphql_request_duration_seconds_bucket{le="0.05",operation="Identify",outcome="ok"}'), 1);
    assert.ok(Math.abs(sample(body, 'visage_graphql_request_duration_seconds_sum{operation="Identify",outcome="ok"}')! - 0.23) < 1e-9);
  });

  it('labels anonymous, malformed and unlisted operation names as anonymous', async () => {
    const m = createMetrics({ tenantLabels: false, defaultMetrics: false, operationNames: ['Identify'] });
    for (const name of [undefined, null, '', 'not a name', 'ClientInvented', 'Identify']) m.observeGraphQL(name, 'ok', 0.001);
    const { body } = await m.render();
    assert.equal(sample(body, 'visage_graphql_requests_total{operation="anonymous",outcome="ok"}'), 5);
    assert.equal(sample(body, 'visage_graphql_requests_total{operation="Identify",outcome="ok"}'), 1);
    assert.doesNotMatch(body, /ClientInvented|not a name/);
  });

  it('keeps at most maxOperationNames distinct names when no list is given', async () => {
    const m = createMetrics({ tenantLabels: false, defaultMetrics: false, maxOperationNames: 2 });
    for (const name of ['A', 'B', 'C', 'A']) m.observeGraphQL(name, 'ok', 0.001);
    const { body } = await m.render();
    assert.equal(sample(body, 'visage_graphql_requests_total{operation="A",outcome="ok"}'), 2);
    assert.equal(sample(body, 'visage_graphql_requests_total{operation="B",outcome="ok"}'), 1);
    assert.equal(sample(body, 'visage_graphql_requests_total{operation="anonymous",outcome="ok"}'), 1);
  });

  it('counts decisions by outcome and by tenant only when tenant labels are on', async () => {
    const off = createMetrics({ tenantLabels: false, defaultMetrics: false });
    const on = createMetrics({ tenantLabels: true, defaultMetrics: false });
    for (const m of [off, on]) {
      m.countDecision('MATCH', TENANT_A);
      m.countDecision('MATCH', TENANT_B);
      m.countDecision('NO_FACE', TENANT_A);
    }
    const offBody = (await off.render()).body;
    assert.equal(sample(offBody, 'visage_identify_decisions_total{decision="MATCH"}'), 2);
    assert.equal(sample(offBody, 'visage_identify_decisions_total{decision="NO_FACE"}'), 1);
    assert.doesNotMatch(offBody, /tenant=/);
    const onBody = (await on.render()).body;
    assert.equal(sample(onBody, `visage_identify_decisions_total{decision="MATCH",tenant="${TENANT_A}"}`), 1);
    assert.equal(sample(onBody, `visage_identify_decisions_total{decision="NO_FACE",tenant="${TENANT_A}"}`), 1);
  });

  it('records pipeline stage latencies in seconds', async () => {
    const m = createMetrics({ tenantLabels: false, defaultMetrics: false });
    m.observeStage('detect', 40);
    m.observeStage('total', 120);
    const { body } = await m.render();
    assert.equal(sample(body, 'visage_pipeline_stage_duration_seconds_sum{stage="detect"}'), 0.04);
    assert.equal(sample(body, 'visage_pipeline_stage_duration_seconds_bucket{le="0.05",stage="detect"}'), 1);
    assert.equal(sample(body, 'visage_pipeline_stage_duration_seconds_bucket{le="0.1",stage="total"}'), 0);
  });

  it('sums index sizes per model from the provider at each scrape, and drops evicted indexes', async () => {
    let sizes: IndexSize[] = [
      { tenantId: TENANT_A, model: 'face-arcface-512', faces: 1000 },
      { tenantId: TENANT_B, model: 'face-arcface-512', faces: 234 },
      { tenantId: TENANT_B, model: 'clip-vit-b32', faces: 7 },
    ];
    const m = createMetrics({ tenantLabels: false, defaultMetrics: false, indexSizes: () => sizes });
    let body = (await m.render()).body;
    assert.equal(sample(body, 'visage_index_faces{model="face-arcface-512"}'), 1234);
    assert.equal(sample(body, 'visage_index_faces{model="clip-vit-b32"}'), 7);
    assert.equal(sample(body, 'visage_indexes_loaded{model="face-arcface-512"}'), 2);
    assert.doesNotMatch(body, /tenant=|0b7f2c1e/);
    sizes = sizes.filter((s) => s.model !== 'clip-vit-b32');
    body = (await m.render()).body;
    assert.equal(sample(body, 'visage_index_faces{model="clip-vit-b32"}'), undefined);
    assert.equal(sample(body, 'visage_indexes_loaded{model="clip-vit-b32"}'), undefined);
  });

  it('keeps sizes set by setIndexSize until set to zero, per tenant when tenant labels are on', async () => {
    const m = createMetrics({ tenantLabels: true, defaultMetrics: false });
    m.setIndexSize('face-arcface-512', 10, TENANT_A);
    m.setIndexSize('face-arcface-512', 12, TENANT_A);
    m.setIndexSize('face-arcface-512', 5, TENANT_B);
    let body = (await m.render()).body;
    assert.equal(sample(body, `visage_index_faces{model="face-arcface-512",tenant="${TENANT_A}"}`), 12);
    assert.equal(sample(body, `visage_index_faces{model="face-arcface-512",tenant="${TENANT_B}"}`), 5);
    m.setIndexSize('face-arcface-512', 0, TENANT_A);
    body = (await m.render()).body;
    assert.equal(sample(body, `visage_index_faces{model="face-arcface-512",tenant="${TENANT_A}"}`), undefined);
    assert.equal(sample(body, 'visage_indexes_loaded{model="face-arcface-512"}'), 1);
  });

  it('records index load times per model', async () => {
    const m = createMetrics({ tenantLabels: false, defaultMetrics: false });
    m.observeIndexLoad('face-arcface-512', 3);
    const { body } = await m.render();
    assert.equal(sample(body, 'visage_index_load_duration_seconds_count{model="face-arcface-512"}'), 1);
    assert.equal(sample(body, 'visage_index_load_duration_seconds_bucket{le="2.5",model="face-arcface-512"}'), 0);
    assert.equal(sample(body, 'visage_index_load_duration_seconds_bucket{le="5",model="face-arcface-512"}'), 1);
  });

  it('never renders a tenant id with tenant labels off, whatever the calls', async () => {
    const m = createMetrics({ tenantLabels: false, indexSizes: () => [{ tenantId: TENANT_A, model: 'm', faces: 1 }] });
    m.countDecision('UNKNOWN', TENANT_A);
    m.setIndexSize('m', 3, TENANT_B);
    m.observeGraphQL(TENANT_A, 'ok', 0.1); // not a GraphQL name (starts with a digit)
    const { body } = await m.render();
    assert.doesNotMatch(body, /0b7f2c1e|tenant=/);
    assert.equal(sample(body, 'visage_index_faces{model="m"}'), 4);
  });

  it('includes process memory and event-loop lag, and keeps registries apart', async () => {
    const a = createMetrics({ tenantLabels: false });
    const b = createMetrics({ tenantLabels: false });
    a.countDecision('MATCH');
    const bodyA = (await a.render()).body;
    assert.ok(sample(bodyA, 'process_resident_memory_bytes')! > 0);
    assert.match(bodyA, /^nodejs_eventloop_lag_seconds \d/m);
    assert.match(bodyA, /^nodejs_heap_size_used_bytes \d/m);
    assert.equal(sample((await b.render()).body, 'visage_identify_decisions_total{decision="MATCH"}'), undefined);
  });
});
