import { AppError, isAppError } from '../errors.js';
import { imageBytes } from '../vision/index.js';

/** A video as the API receives it: base64 bytes and an optional name for messages. */
export interface VideoInput {
  data: string;
  filename?: string | null;
}

/**
 * Base64 → bytes, refusing an oversized video from its encoded length before decoding it.
 * The base64 rules are the image ones; only the error codes and wording differ.
 */
export function videoBytes(input: VideoInput, maxBytes: number, field = 'video'): Buffer {
  try {
    return imageBytes(input, maxBytes, field);
  } catch (err) {
    if (!isAppError(err)) throw err;
    const message = err.message.replace(/^Image/, 'Video');
    if (err.code === 'IMAGE_TOO_LARGE') throw new AppError('VIDEO_TOO_LARGE', message, { field, maxBytes });
    throw new AppError('INVALID_VIDEO', message, { field });
  }
}
