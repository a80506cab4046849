import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../../src/errors.js';
import { readFrames } from '../../src/video/index.js';
import { facesDevPeople } from '../support/datasets.js';

const work = mkdtempSync(path.join(tmpdir(), 'visage-reader-test-'));
let video: Buffer;

before(() => {
  // 5 s at 25 fps, 1920x1080: enough decoding work for a short timeout to hit mid-stream.
  const out = path.join(work, 'long.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', facesDevPeople(3)[0]!.files[0]!, '-t', '5', '-r', '25',
    '-vf', 'scale=1920:1080,noise=alls=40:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out]);
  video = readFileSync(out);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** ffmpeg processes started by this test process that are still alive. */
function ffmpegChildren(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('ffmpeg'));
  } catch {
    return []; // ps exits 1 when there is no child at all
  }
}

const leftovers = () => readdirSync(tmpdir()).filter((d) => d.startsWith('visage-video-'));
const options = { ffmpegPath: 'ffmpeg', timeoutMs: 30_000, fps: 25, maxFrames: 1000 };

describe('readFrames', () => {
  it('samples at the asked rate and scales frames down to maxSide', async () => {
    const frames = [];
    for await (const f of readFrames(video, { ...options, fps: 2, maxSide: 640 })) frames.push({ index: f.index, time: f.time, w: f.image.width, h: f.image.height, bytes: f.image.data.length });
    assert.equal(frames.length, 10);
    assert.deepEqual(frames[3], { index: 3, time: 1.5, w: 640, h: 360, bytes: 640 * 360 * 3 });
  });

  it('stops after maxFrames', async () => {
    let n = 0;
    for await (const _ of readFrames(video, { ...options, maxFrames: 3 })) n++;
    assert.equal(n, 3);
  });

  it('kills ffmpeg on timeout, with INVALID_VIDEO, and leaves no process or file behind', async () => {
    const before = leftovers();
    await assert.rejects(
      (async () => {
        // A slow consumer: the timeout bounds the whole read, not just the decoding.
        for await (const _ of readFrames(video, { ...options, timeoutMs: 300 })) await new Promise((r) => setTimeout(r, 50));
      })(),
      (err: unknown) => err instanceof AppError && err.code === 'INVALID_VIDEO' && /longer than 300 ms/.test(err.message),
    );
    assert.deepEqual(ffmpegChildren(), []);
    assert.deepEqual(leftovers(), before);
  });

  it('kills ffmpeg when the caller aborts or stops iterating early', async () => {
    const controller = new AbortController();
    await assert.rejects(
      (async () => {
        for await (const f of readFrames(video, { ...options, signal: controller.signal })) if (f.index === 1) controller.abort();
      })(),
      (err: unknown) => err instanceof AppError && err.code === 'INVALID_VIDEO' && /cancelled/.test(err.message),
    );
    assert.deepEqual(ffmpegChildren(), []);
    for await (const f of readFrames(video, options)) if (f.index === 2) break;
    assert.deepEqual(ffmpegChildren(), []);
  });
});
