import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { RgbImage } from '../vision/index.js';
import { PpmStream } from './ppm-stream.js';

export interface FrameReaderOptions {
  ffmpegPath: string;
  /** The ffmpeg process is killed this long after it starts, whatever it is doing. */
  timeoutMs: number;
  /** Frames sampled per second of video. */
  fps: number;
  /** ffmpeg stops after this many sampled frames. */
  maxFrames: number;
  /** Frames larger than this (either side) are scaled down; the detector works at lower resolution anyway. */
  maxSide?: number;
  /** Kills ffmpeg when the caller gives up (a closed request). */
  signal?: AbortSignal;
}

export interface VideoFrame {
  /** Position among the sampled frames, from 0. */
  index: number;
  /** Seconds from the start of the video. */
  time: number;
  image: RgbImage;
}

/**
 * Demuxers a video upload may use. Anything else is refused by ffmpeg itself: playlists (HLS,
 * concat) could make it open other files or URLs, and still images are not videos.
 */
const DEMUXERS = 'mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi';

/**
 * Samples a video's frames as raw RGB with the system ffmpeg, one at a time: the next frame is
 * decoded while the caller works on this one, and at most one frame is held in memory here.
 *
 * The process never outlives the iteration: it is killed on timeout, on abort, and when the
 * caller stops iterating early (`finally` runs on `return()` and on throw). A corrupt, truncated
 * or non-video upload throws INVALID_VIDEO once the stream ends, so callers that store only after
 * the last frame store nothing for it.
 */
export async function* readFrames(bytes: Uint8Array, options: FrameReaderOptions): AsyncGenerator<VideoFrame> {
  const maxSide = options.maxSide ?? 1280;
  // A file, not stdin: MP4s written without "faststart" keep their index at the end and cannot be
  // demuxed from a pipe.
  const dir = await mkdtemp(path.join(tmpdir(), 'visage-video-'));
  const file = path.join(dir, 'upload');
  let child: ReturnType<typeof spawn> | null = null;
  let exited: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped: 'timeout' | 'abort' | null = null;
  const kill = (why: 'timeout' | 'abort') => {
    stopped ??= why;
    child?.kill('SIGKILL');
  };
  const onAbort = () => kill('abort');
  try {
    await writeFile(file, bytes);
    if (options.signal?.aborted) throw new AppError('INVALID_VIDEO', 'The request was cancelled before the video was read.');
    const args = [
      '-hide_banner', '-nostdin', '-v', 'error', '-xerror',
      '-protocol_whitelist', 'file', '-format_whitelist', DEMUXERS,
      '-i', file,
      '-map', '0:v:0', '-an', '-sn', '-dn',
      '-vf', `fps=${options.fps},scale='min(iw,${maxSide})':'min(ih,${maxSide})':force_original_aspect_ratio=decrease`,
      '-frames:v', String(options.maxFrames),
      '-f', 'image2pipe', '-c:v', 'ppm', 'pipe:1',
    ];
    const proc = spawn(options.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    let spawnError: Error | null = null;
    let code: number | null = null;
    exited = new Promise<void>((resolve) => {
      proc.once('error', (err) => {
        spawnError = err;
        resolve();
      });
      proc.once('close', (c) => {
        code = c;
        resolve();
      });
    });
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 8000) stderr += d;
    });
    timer = setTimeout(() => kill('timeout'), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const ppm = new PpmStream();
    let index = 0;
    for await (const chunk of proc.stdout!) {
      let frames: RgbImage[];
      try {
        frames = ppm.push(chunk as Buffer);
      } catch (err) {
        throw new AppError('INVALID_VIDEO', `ffmpeg produced an unreadable frame (${(err as Error).message}).`);
      }
      for (const image of frames) {
        yield { index, time: index / options.fps, image };
        index++;
      }
    }
    await exited;
    if (spawnError) throw new Error(`cannot run ffmpeg at "${options.ffmpegPath}": ${(spawnError as Error).message}`);
    if (stopped === 'timeout') throw new AppError('INVALID_VIDEO', `Reading the video took longer than ${options.timeoutMs} ms; send a shorter clip or a lower fps.`);
    if (stopped === 'abort') throw new AppError('INVALID_VIDEO', 'The request was cancelled while the video was read.');
    if (code !== 0 || ppm.partial) throw new AppError('INVALID_VIDEO', `The video is corrupt, truncated or not a supported video (${lastLine(stderr)}).`);
    if (index === 0) throw new AppError('INVALID_VIDEO', 'The video has no frames.');
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

function lastLine(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim() !== '');
  const line = lines.at(-1) ?? 'no output';
  // ffmpeg names the temporary file; the client never saw that path.
  return line.replace(/\/\S*visage-video-[^\s:]*/g, 'video').slice(0, 300);
}
