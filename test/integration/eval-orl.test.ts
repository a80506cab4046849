import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { confusionPlotSize } from '../../src/eval/plots/confusion-plot.js';
import { PCA_PLOT_SIZE } from '../../src/eval/plots/pca-plot.js';
import { PR_PLOT_SIZE } from '../../src/eval/plots/pr-plot.js';
import { SCALABILITY_PLOT_SIZE } from '../../src/eval/plots/scalability-plot.js';
import { GRID_HEADER } from '../../src/eval/reports.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
// The shared data sets sit beside the repository, on developer machines and in CI alike.
const orl = join(repo, '..', 'shared', 'datasets', 'orl-faces');
const run = promisify(execFile);

let work: string;
let out: string;
let firstStdout: string;

async function evalCli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/eval.ts'), ...args], {
    cwd: repo,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('eval command on ORL faces, pre-cropped path', { timeout: 300_000 }, () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'visage-eval-orl-'));
    out = join(work, 'out');
    firstStdout = await evalCli('--data', orl, '--cropped', '--out', out, '--cache-dir', join(work, 'cache'), '--scalability', '5,10,40');
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('ends stdout with the summary JSON and a sane rank-1 accuracy', () => {
    const s = summaryOf(firstStdout);
    assert.deepEqual(Object.keys(s), ['classes', 'probes', 'unknownProbes', 'rank1', 'best', 'balanced', 'embedMsPerImage', 'gridMs']);
    assert.deepEqual(Object.keys(s.best), ['k1', 'k2', 'threshold', 'f1', 'knownAccuracy', 'unknownRejection']);
    assert.deepEqual(Object.keys(s.balanced), ['threshold', 'knownAccuracy', 'unknownRejection']);
    assert.equal(s.classes, 40);
    assert.equal(s.probes, 200);
    assert.equal(s.unknownProbes, 0);
    assert.ok(s.rank1 >= 0.9, `rank1 ${s.rank1}`);
    assert.ok(s.best.k2 > s.best.k1);
    assert.ok(s.embedMsPerImage > 0);
  });

  it('writes the full grid with the documented header', async () => {
    const lines = (await readFile(join(out, 'grid_search_results.csv'), 'utf8')).trim().split('\n');
    assert.equal(lines[0], GRID_HEADER.join(','));
    assert.equal(lines.length - 1, 45 * 101);
    assert.match(lines[1]!, /^1,2,0\.50,/);
  });

  it('writes best.json, the per-class report and the bands', async () => {
    const best = JSON.parse(await readFile(join(out, 'best.json'), 'utf8'));
    assert.equal(best.summary.best.threshold, summaryOf(firstStdout).best.threshold);
    const perClass = (await readFile(join(out, 'per_class_report.csv'), 'utf8')).trim().split('\n');
    assert.equal(perClass[0], 'class,precision,recall,f1,support');
    assert.equal(perClass.length - 1, 41); // 40 subjects and Unknown
    assert.match(perClass[1]!, /^s1,[\d.]+,[\d.]+,[\d.]+,5$/);
    const bands = (await readFile(join(out, 'bands.csv'), 'utf8')).trim().split('\n');
    assert.equal(bands[0], 'metric,band,count,classes');
    const f1Counts = bands.slice(1, 4).map((l) => Number(l.split(',')[2]));
    assert.equal(f1Counts.reduce((a, b) => a + b, 0), 40);
    const scal = (await readFile(join(out, 'scalability.csv'), 'utf8')).trim().split('\n');
    assert.deepEqual(scal.slice(1).map((l) => Number(l.split(',')[0])), [5, 10, 40]);
  });

  it('renders every plot as a PNG of the expected size', async () => {
    const expected = {
      'confusion_matrix.png': confusionPlotSize(41),
      'pca.png': PCA_PLOT_SIZE,
      'pr_curve.png': PR_PLOT_SIZE,
      'scalability.png': SCALABILITY_PLOT_SIZE,
    };
    for (const [file, size] of Object.entries(expected)) {
      const meta = await sharp(join(out, file)).metadata();
      assert.equal(meta.format, 'png', file);
      assert.deepEqual({ width: meta.width, height: meta.height }, size, file);
      // A blank canvas would pass the size check: require real ink.
      const stats = await sharp(join(out, file)).stats();
      assert.ok(stats.channels[0]!.min < 100, `${file} looks empty`);
    }
  });

  it('serves every embedding from the cache on a second run', async () => {
    const second = await evalCli('--data', orl, '--cropped', '--out', join(work, 'again'), '--cache-dir', join(work, 'cache'));
    assert.match(second, /embedded 0 images, 400 from cache/);
    assert.deepEqual(summaryOf(second).best, summaryOf(firstStdout).best);
    await assert.rejects(access(join(work, 'again', 'scalability.png')));
  });
});
