import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDataset } from '../../src/eval/dataset.js';

let root: string;
const touch = async (...parts: string[]) => {
  await mkdir(join(root, ...parts.slice(0, -1)), { recursive: true });
  await writeFile(join(root, ...parts), '');
};
const names = (samples: { path: string }[]) => samples.map((s) => s.path.slice(root.length + 1));

describe('evaluation data set loading', () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'visage-eval-dataset-'));
    for (const c of ['s2', 's10']) {
      for (const f of ['1.png', '2.png']) await touch('paper', c, 'train', f);
      await touch('paper', c, 'val', '3.png');
    }
    for (const f of ['10.jpg', '2.jpg', '1.jpg', 'notes.txt', '.hidden.jpg']) await touch('flat', 'alice', f);
    await touch('flat', 'bob', 'only.jpg');
    await touch('strangers', 'x.jpg');
    await touch('strangers', 'group', 'deep', 'y.png');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it("reads the paper's layout: train/ enrolled, val/ probes, classes in natural order", async () => {
    const d = await loadDataset(join(root, 'paper'));
    assert.equal(d.layout, 'paper');
    assert.deepEqual(d.classes, ['s2', 's10']);
    assert.deepEqual(names(d.enrolled), ['paper/s2/train/1.png', 'paper/s2/train/2.png', 'paper/s10/train/1.png', 'paper/s10/train/2.png']);
    assert.deepEqual(names(d.probes), ['paper/s2/val/3.png', 'paper/s10/val/3.png']);
    assert.deepEqual(d.probes.map((p) => p.label), ['s2', 's10']);
  });

  it('splits a flat layout by --enroll N in natural name order, ignoring non-images', async () => {
    const d = await loadDataset(join(root, 'flat'), { enroll: 2 });
    assert.equal(d.layout, 'flat');
    assert.deepEqual(names(d.enrolled), ['flat/alice/1.jpg', 'flat/alice/2.jpg', 'flat/bob/only.jpg']);
    assert.deepEqual(names(d.probes), ['flat/alice/10.jpg']);
  });

  it('refuses a flat layout without --enroll', async () => {
    await assert.rejects(loadDataset(join(root, 'flat')), (e: Error & { code?: string }) => e.code === 'BAD_USER_INPUT');
  });

  it('adds unknown people from a nested folder as probes whose answer is Unknown', async () => {
    const d = await loadDataset(join(root, 'paper'), { unknownDir: join(root, 'strangers') });
    const unknown = d.probes.filter((p) => p.label === null);
    assert.deepEqual(names(unknown), ['strangers/group/deep/y.png', 'strangers/x.jpg']);
    assert.equal(d.probes.length, 4);
  });
});
