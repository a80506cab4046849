import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RULES = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');
const LAYERS = (createRequire(import.meta.url)(RULES) as { LAYERS: [string, string][] }).LAYERS;

/** The dependency-cruiser CLI, as CI would run it; resolves with its exit code and output. */
function depcruise(cwd: string, targets: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEPCRUISE, '--config', RULES, '--output-type', 'err', ...targets], { cwd });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('layers (.dependency-cruiser.cjs)', () => {
  let probe: string;
  before(async () => {
    // A lower layer (gallery) importing a use case (identify): the example the rule exists for.
    probe = await mkdtemp(path.join(tmpdir(), 'visage-layers-'));
    await mkdir(path.join(probe, 'src/gallery'), { recursive: true });
    await mkdir(path.join(probe, 'src/identify'), { recursive: true });
    await writeFile(path.join(probe, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
    await writeFile(path.join(probe, 'src/identify/vote.ts'), 'export type Vote = number;\n');
    await writeFile(path.join(probe, 'src/gallery/index.ts'), "import type { Vote } from '../identify/vote.js';\nexport type V = Vote;\n");
  });
  after(() => rm(probe, { recursive: true, force: true }));

  it('src, bench and test import nothing against the layer order', async () => {
    const { code, output } = await depcruise(ROOT, ['src', 'bench', 'test']);
    assert.equal(code, 0, output);
  });

  it('fails on an upward import, naming the rule', async () => {
    const { code, output } = await depcruise(probe, ['src']);
    assert.notEqual(code, 0, output);
    assert.match(output, /layer-gallery/);
    assert.match(output, /src\/gallery\/index\.ts → src\/identify\/vote\.ts/);
  });

  it('README lists the same layers in the same order', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const line = /^Layers, top to bottom: (.+)$/m.exec(readme);
    assert.ok(line, 'README.md has no "Layers, top to bottom:" line');
    assert.deepEqual(line[1]!.replace(/`/g, '').replace(/\.$/, '').split(' → '), LAYERS.map(([name]) => name));
  });
});
