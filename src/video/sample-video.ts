import { AppError } from '../errors.js';
import { readFrames, type VideoFrame } from './frame-reader.js';
import { videoBytes, type VideoInput } from './video-input.js';

/** How this server reads videos: config `ffmpegPath`, `ffmpegTimeoutMs`, `maxVideoBytes`. */
export interface VideoSettings {
  ffmpegPath: string;
  timeoutMs: number;
  maxBytes: number;
}

/** Highest sampling rate a caller may ask for; more is a decode cost with nothing to gain. */
export const MAX_FPS = 30;

/** The caller's fps, or the default; BAD_USER_INPUT outside (0, MAX_FPS]. */
export function checkFps(fps: number | null | undefined, fallback: number): number {
  if (fps === undefined || fps === null) return fallback;
  if (!Number.isFinite(fps) || fps <= 0 || fps > MAX_FPS) throw new AppError('BAD_USER_INPUT', `fps must be above 0 and at most ${MAX_FPS}; got ${fps}.`, { field: 'fps' });
  return fps;
}

/**
 * An uploaded video → its sampled frames. Size is checked before anything is written or spawned
 * (VIDEO_TOO_LARGE); decoding problems surface as INVALID_VIDEO when the stream ends.
 */
export function sampleVideo(input: VideoInput, settings: VideoSettings, sampling: { fps: number; maxFrames: number }, signal?: AbortSignal): AsyncGenerator<VideoFrame> {
  const bytes = videoBytes(input, settings.maxBytes);
  return readFrames(bytes, { ffmpegPath: settings.ffmpegPath, timeoutMs: settings.timeoutMs, ...sampling, ...(signal ? { signal } : {}) });
}
