import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { sharedSessionOptions } from '../../src/inference/session-options.js';
import { calibrationSettings, calibrations, inferenceSettings, modelTunings, type CalibrationSettings } from '../../src/inference/index.js';
import { calibrationTable } from '../../src/inference/calibration-table.js';
import { tuneSession } from '../../src/inference/tune-session.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { MODELS_DIR } from '../helpers/models-dir.js';

const dir = mkdtempSync(join(tmpdir(), 'visage-calibration-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The landmark model is the smallest of the real ones: a run takes about a millisecond.
const landmarks = readFileSync(join(MODELS_DIR, 'fr_landmark.onnx'));
const optionsFor = (t: { graphLevel: CalibrationSettings['levels'][number]; intraOpThreads: number }) =>
  sharedSessionOptions({ graphOptimizationLevel: t.graphLevel, intraOpThreads: t.intraOpThreads });
const settings = (over: Partial<CalibrationSettings> = {}): CalibrationSettings => ({
  ...calibrationSettings({ enabled: true, workers: 1, cores: 2, budgetMs: 150, cacheFile: join(dir, 'cache.json') }),
  ...over,
});

describe('per-model session calibration', () => {
  it('times every candidate on the real model, keeps the fastest and remembers it on disk', async () => {
    const first = await tuneSession('landmarks-a', landmarks, settings(), optionsFor);
    assert.equal(first.source, 'measured');
    if (first.source !== 'measured') return;
    // 2 levels × threads 1..2 (2 cores, 1 worker), fastest first.
    assert.equal(first.table.length, 4);
    assert.deepEqual(first.table.map((r) => r.medianMs), [...first.table.map((r) => r.medianMs)].sort((a, b) => a - b));
    assert.deepEqual(first.tuning, { graphLevel: first.table[0]!.graphLevel, intraOpThreads: first.table[0]!.intraOpThreads });
    assert.ok(first.table.every((r) => r.runs >= 3 && r.medianMs > 0));

    const again = await tuneSession('landmarks-a', landmarks, settings(), optionsFor);
    assert.equal(again.source, 'cached');
    assert.deepEqual(again.tuning, first.tuning);
    assert.ok(calibrations().some((c) => c.model === 'landmarks-a' && c.source === 'cached'));
    assert.match(calibrationTable(calibrations()), /landmarks-a .* chosen, from the calibration cache/);
  });

  it('measures again for another candidate set, and when the cache file is corrupt', async () => {
    const oneThread = await tuneSession('landmarks-b', landmarks, settings({ maxThreads: 1 }), optionsFor);
    assert.equal(oneThread.source, 'measured');
    writeFileSync(join(dir, 'cache.json'), '{ not json');
    const afterCorruption = await tuneSession('landmarks-b', landmarks, settings({ maxThreads: 1 }), optionsFor);
    assert.equal(afterCorruption.source, 'measured');
    assert.ok(JSON.parse(readFileSync(join(dir, 'cache.json'), 'utf8')), 'the cache is rewritten as valid JSON');
  });

  it('does no timing when config pins both settings or turns calibration off', async () => {
    const pinned = await tuneSession('landmarks-c', landmarks, settings({ graphLevel: 'extended', intraOpThreads: 1 }), optionsFor);
    assert.deepEqual(pinned, { source: 'pinned', model: 'landmarks-c', tuning: { graphLevel: 'extended', intraOpThreads: 1 } });
    const off = await tuneSession('landmarks-d', landmarks, settings({ enabled: false }), optionsFor);
    assert.deepEqual(off.tuning, { graphLevel: 'all', intraOpThreads: 1 });
  });

  it('is exported on /metrics with the chosen settings as labels', async () => {
    const metrics = createMetrics({ tenantLabels: false, defaultMetrics: false, tunings: modelTunings });
    const { body } = await metrics.render();
    assert.match(body, /visage_inference_tuning_run_ms\{model="landmarks-a",graph_level="(extended|all)",intra_op_threads="[12]",source="cached"\} [\d.]+/);
    assert.match(body, /visage_inference_tuning_run_ms\{model="landmarks-c",graph_level="extended",intra_op_threads="1",source="pinned"\} 0/);
  });
});

describe('calibration config', () => {
  it('calibrates by default, threads up to cores / workers, cache under the data dir', () => {
    const s = inferenceSettings(loadConfig({ VISAGE_INFERENCE_WORKERS: '1', VISAGE_DATA_DIR: '/srv/visage' }));
    assert.equal(s.calibration?.enabled, true);
    assert.equal(s.calibration?.cacheFile, '/srv/visage/ort-calibration.json');
    assert.equal(s.intraOpThreads, undefined);
    const off = inferenceSettings(loadConfig({ VISAGE_ORT_CALIBRATION_FILE: 'off', VISAGE_ORT_THREADS: '2', VISAGE_ORT_GRAPH_LEVEL: 'extended' }));
    assert.equal(off.calibration?.cacheFile, undefined);
    assert.equal(off.calibration?.intraOpThreads, 2);
    assert.equal(off.calibration?.graphLevel, 'extended');
  });

  it('names a bad level or thread count', () => {
    assert.throws(
      () => loadConfig({ VISAGE_ORT_GRAPH_LEVEL: 'fastest', VISAGE_ORT_THREADS: 'many' }),
      (err: unknown) => err instanceof ConfigError && /VISAGE_ORT_GRAPH_LEVEL: "fastest" is not auto, disabled, basic, extended, all/.test(err.message) && /VISAGE_ORT_THREADS/.test(err.message),
    );
  });
});
