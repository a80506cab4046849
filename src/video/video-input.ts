import type { UploadedFile } from '../domain/uploaded-file.js';
import { AppError, isAppError } from '../errors.js';
import { imageBytes } from '../vision/index.js';

/** A video as the API receives it: base64 `data` or an uploaded `file`, and an optional name for messages. */
export interface VideoInput {
  data?: string | null;
  file?: UploadedFile | null;
  filename?: string | null;
}

/**
 * Base64 → bytes (or an uploaded file's bytes), refusing an oversized video from its encoded
 * length before decoding it. The rules are the image ones; only the error codes and wording differ.
 */
export function videoBytes(input: VideoInput, maxBytes: number, field = 'video'): Buffer {
  try {
    return imageBytes(input, maxBytes, field);
  } catch (err) {
    if (!isAppError(err)) throw err;
    if (err.code === 'BAD_USER_INPUT') throw new AppError('BAD_USER_INPUT', err.message.replace(/\bimage\b/, 'video'), { ...err.details });
    const message = err.message.replace(/^Image/, 'Video');
    if (err.code === 'IMAGE_TOO_LARGE') throw new AppError('VIDEO_TOO_LARGE', message, { field, maxBytes });
    throw new AppError('INVALID_VIDEO', message, { field });
  }
}
