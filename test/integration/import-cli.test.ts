import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createKey, createTenant, type TestTenant } from '../support/factories.js';
import { facesDevPeople } from '../support/datasets.js';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../src/cli/import.ts');
const work = mkdtempSync(path.join(tmpdir(), 'visage-import-test-'));

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function importCli(tenant: TestTenant, dir: string, extra: string[] = [], key = tenant.secret) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, '--tenant', tenant.slug, '--data', dir, '--json', ...extra], {
    env: { ...process.env, VISAGE_API_KEY: key, VISAGE_URL: server.url },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

async function census(tenant: TestTenant): Promise<{ people: number; faces: number; byExternalId: Record<string, number> }> {
  const res = await server.gql('{ people(first: 100) { totalCount edges { node { externalId faces { id } } } } }', {}, tenant.secret);
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const nodes = res.data!.people.edges.map((e: { node: { externalId: string; faces: unknown[] } }) => e.node);
  return {
    people: res.data!.people.totalCount,
    faces: nodes.reduce((n: number, p: { faces: unknown[] }) => n + p.faces.length, 0),
    byExternalId: Object.fromEntries(nodes.map((p: { externalId: string; faces: unknown[] }) => [p.externalId, p.faces.length])),
  };
}

describe('import CLI', () => {
  it('imports a paper-layout folder (photos and a video) and a re-run adds nothing', async () => {
    // 3 people x 2 photos in <person>/train/, a val/ photo that must not be imported, and a
    // short video in one person's folder.
    const root = path.join(work, 'paper');
    const people = facesDevPeople(4).slice(0, 3);
    for (const p of people) {
      mkdirSync(path.join(root, p.name, 'train'), { recursive: true });
      mkdirSync(path.join(root, p.name, 'val'), { recursive: true });
      for (const f of p.files.slice(0, 2)) copyFileSync(f, path.join(root, p.name, 'train', path.basename(f)));
      copyFileSync(p.files[2]!, path.join(root, p.name, 'val', path.basename(p.files[2]!)));
    }
    const withVideo = people[2]!;
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', withVideo.files[3]!, '-t', '2', '-r', '10',
      '-vf', 'scale=320:-2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path.join(root, withVideo.name, 'train', 'clip.mp4')]);
    copyFileSync(path.join(import.meta.dirname, 'import-cli.test.ts'), path.join(root, people[0]!.name, 'train', 'notes.txt'));

    const tenant = await createTenant(server);
    const operator = await createKey(server, tenant, 'OPERATOR');
    const first = await importCli(tenant, root, ['--largest-face'], operator.secret);
    assert.equal(first.layout, 'paper');
    assert.equal(first.people, 3);
    assert.equal(first.peopleCreated, 3);
    assert.equal(first.images, 6);
    assert.equal(first.videos, 1);
    assert.equal(first.videoFramesRead, 4);
    assert.deepEqual(first.skippedFiles.map((f: string) => path.basename(f)), ['notes.txt']);
    assert.deepEqual(first.errors, []);
    const afterFirst = await census(tenant);
    assert.equal(afterFirst.people, 3);
    assert.equal(afterFirst.faces, first.facesAdded);
    assert.ok(afterFirst.faces >= 6, JSON.stringify(first));
    for (const p of people) assert.ok(afterFirst.byExternalId[p.name]! >= 1, p.name);

    const second = await importCli(tenant, root, ['--largest-face'], operator.secret);
    assert.equal(second.peopleCreated, 0);
    assert.equal(second.facesAdded, 0);
    assert.ok(second.rejected.DUPLICATE >= 6, JSON.stringify(second.rejected));
    assert.deepEqual(await census(tenant), afterFirst);
  });

  it('imports a flat folder and refuses a key of another tenant', async () => {
    const root = path.join(work, 'flat');
    for (const p of facesDevPeople(4).slice(3, 5)) {
      mkdirSync(path.join(root, p.name), { recursive: true });
      copyFileSync(p.files[0]!, path.join(root, p.name, path.basename(p.files[0]!)));
    }
    const tenant = await createTenant(server);
    const out = await importCli(tenant, root, ['--largest-face']);
    assert.equal(out.layout, 'flat');
    assert.equal(out.peopleCreated, 2);
    assert.equal((await census(tenant)).people, 2);

    const other = await createTenant(server);
    await assert.rejects(importCli(tenant, root, [], other.secret), (err: { code: number; stderr: string }) => err.code === 1 && /belongs to tenant/.test(err.stderr));
    assert.equal((await census(other)).people, 0);
  });
});
