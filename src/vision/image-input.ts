import type { UploadedFile } from '../domain/uploaded-file.js';
import { AppError, badInput } from '../errors.js';

/** An image as the API receives it: base64 `data` or an uploaded `file`, and an optional name for messages. */
export interface ImageInput {
  data?: string | null;
  file?: UploadedFile | null;
  filename?: string | null;
}

/** Longest filename accepted: names are echoed in results and messages, so they stay short. */
export const MAX_FILENAME_LENGTH = 255;

/** BAD_USER_INPUT for an oversized filename, which is not echoed back. */
export function checkFilename(filename: string | null | undefined, field: string): void {
  if (filename !== undefined && filename !== null && filename.length > MAX_FILENAME_LENGTH) {
    throw badInput(field, `A filename must be at most ${MAX_FILENAME_LENGTH} characters; this one has ${filename.length}.`);
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Base64 → bytes, refusing an oversized image from its encoded length, before decoding, so a
 * huge upload costs no memory beyond the request body.
 */
export function imageBytes(input: ImageInput, maxBytes: number, field = 'image'): Buffer {
  checkFilename(input.filename, `${field}.filename`);
  if (input.file && typeof input.data === 'string') throw badInput(field, 'Send the image either as base64 `data` or as an uploaded `file`, not both.');
  if (input.file) return uploadedBytes(input.file, input.filename ?? input.file.filename, maxBytes, field);
  if (typeof input.data !== 'string') throw badInput(field, 'The image needs `data` (base64) or `file` (a multipart upload).');
  const unprefixed = input.data.replace(/^data:[^;]+;base64,/, '');
  const plain = decodePlain(unprefixed, maxBytes);
  if (plain) return plain;
  const data = unprefixed.replace(/\s+/g, '');
  if (Math.floor((data.length * 3) / 4) > maxBytes + 3) throw imageTooLarge(input.filename, maxBytes, field);
  if (data.length === 0 || !BASE64.test(data)) {
    throw new AppError('INVALID_IMAGE', `Image${quotedName(input.filename)} is not base64-encoded data.`, { field });
  }
  return Buffer.from(data, data.includes('-') || data.includes('_') ? 'base64url' : 'base64');
}

/** An uploaded file's bytes as they came: the same size limit, and no copy. */
function uploadedBytes(file: UploadedFile, filename: string | null, maxBytes: number, field: string): Buffer {
  if (file.bytes.length > maxBytes) throw imageTooLarge(filename, maxBytes, field);
  return file.bytes;
}

/** The name for a message; an uploaded file's own name is not length-checked, so it is cut. */
const quotedName = (filename: string | null | undefined) => (filename ? ` "${filename.slice(0, MAX_FILENAME_LENGTH)}"` : '');

function imageTooLarge(filename: string | null | undefined, maxBytes: number, field: string): AppError {
  return new AppError('IMAGE_TOO_LARGE', `Image${quotedName(filename)} is larger than ${maxBytes} bytes.`, { field });
}

/**
 * The common case in one pass: unbroken base64 (either alphabet) with at most two '=' at the end,
 * decoded and checked by length, or null for anything else (whitespace, bad characters, too
 * large), which the checks above then judge. Node's decoder skips characters outside both
 * alphabets and stops at an inner '=', so such a string always decodes short of ⌊n·3/4⌋ bytes
 * (n characters before the padding, n mod 4 ≠ 1). Matching the whole string with BASE64 first
 * cost twice the decode itself (3.2 ms against 1.4 ms for a 3 MB image, on the event loop).
 */
function decodePlain(data: string, maxBytes: number): Buffer | null {
  let pad = 0;
  while (pad < 3 && data.charCodeAt(data.length - 1 - pad) === 61) pad++;
  const n = data.length - pad;
  if (n === 0 || pad > 2 || n % 4 === 1 || Math.floor((data.length * 3) / 4) > maxBytes + 3) return null;
  const bytes = Buffer.from(data, 'base64');
  return bytes.length === Math.floor((n * 3) / 4) ? bytes : null;
}
