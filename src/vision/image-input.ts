import { AppError } from '../errors.js';

/** An image as the API receives it: base64 bytes and an optional name for messages. */
export interface ImageInput {
  data: string;
  filename?: string | null;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Base64 → bytes, refusing an oversized image from its encoded length, before decoding, so a
 * huge upload costs no memory beyond the request body.
 */
export function imageBytes(input: ImageInput, maxBytes: number, field = 'image'): Buffer {
  const name = input.filename ? ` "${input.filename}"` : '';
  const data = input.data.replace(/^data:[^;]+;base64,/, '').replace(/\s+/g, '');
  if (Math.floor((data.length * 3) / 4) > maxBytes + 3) {
    throw new AppError('IMAGE_TOO_LARGE', `Image${name} is larger than ${maxBytes} bytes.`, { field });
  }
  if (data.length === 0 || !BASE64.test(data)) {
    throw new AppError('INVALID_IMAGE', `Image${name} is not base64-encoded data.`, { field });
  }
  return Buffer.from(data, data.includes('-') || data.includes('_') ? 'base64url' : 'base64');
}
