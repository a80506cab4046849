import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const datasets = join(repo, '..', 'shared', 'datasets');
const run = promisify(execFile);

let work: string;
let stdout: string;

describe('eval command on faces-dev, flat layout with unknown people', { timeout: 300_000 }, () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'visage-eval-dev-'));
    const args = [
      '--import', 'tsx', join(repo, 'src/cli/eval.ts'),
      '--data', join(datasets, 'faces-dev'), '--enroll', '2',
      '--unknown', join(datasets, 'scenes', 'unknown_people'),
      '--out', join(work, 'out'), '--cache-dir', join(work, 'cache'),
    ];
    ({ stdout } = await run(process.execPath, args, { cwd: repo, maxBuffer: 16 * 1024 * 1024 }));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('counts the strangers as probes whose right answer is Unknown', () => {
    const s = JSON.parse(stdout.trim().split('\n').at(-1)!);
    assert.equal(s.classes, 31);
    assert.equal(s.unknownProbes, 8);
    assert.equal(s.probes, 115);
    assert.equal(typeof s.best.unknownRejection, 'number');
    // The balanced threshold keeps most strangers out while naming most known people.
    assert.ok(s.balanced.unknownRejection >= 0.75, JSON.stringify(s.balanced));
    assert.ok(s.balanced.knownAccuracy >= 0.85, JSON.stringify(s.balanced));
  });

  it('reports Unknown as a class with the strangers as its support', async () => {
    const rows = (await readFile(join(work, 'out', 'per_class_report.csv'), 'utf8')).trim().split('\n');
    assert.match(rows.at(-1)!, /^Unknown,[\d.]+,[\d.]+,[\d.]+,8$/);
  });

  it('fills unknown_rejection in every grid row', async () => {
    const lines = (await readFile(join(work, 'out', 'grid_search_results.csv'), 'utf8')).trim().split('\n').slice(1);
    assert.ok(lines.every((l) => /,[\d.]+$/.test(l)));
  });
});
