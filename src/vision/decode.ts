import { CONFIG_DEFAULTS } from '../config/index.js';
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../errors.js';
import type { RgbImage } from './image.js';

export interface DecodeLimits {
  /** Encoded size limit in bytes; default 15 MB. */
  maxBytes: number;
  /** Decoded pixel limit (width × height); default 40 MP. */
  maxPixels: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxBytes: CONFIG_DEFAULTS.maxImageBytes, maxPixels: CONFIG_DEFAULTS.maxImagePixels };

/**
 * Decodes JPEG/PNG/WebP into upright RGB: EXIF orientation applied, alpha dropped, grey expanded.
 * The pixel limit is checked on the header before any pixel is decoded, so a small file that
 * declares a huge canvas (a decompression bomb) is refused in microseconds.
 */
export async function decodeImage(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<RgbImage> {
  if (bytes.length > limits.maxBytes) {
    throw new AppError('IMAGE_TOO_LARGE', `Image is ${bytes.length} bytes; the limit is ${limits.maxBytes}`, {
      bytes: bytes.length,
      maxBytes: limits.maxBytes,
    });
  }
  if (bytes.length === 0) throw new AppError('INVALID_IMAGE', 'Image is empty');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new AppError('INVALID_IMAGE', 'Not a readable image (JPEG, PNG or WebP expected)');
  }
  if (!meta.format || !['jpeg', 'png', 'webp'].includes(meta.format)) {
    throw new AppError('INVALID_IMAGE', `Unsupported image format ${meta.format ?? 'unknown'}; JPEG, PNG or WebP expected`);
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > limits.maxPixels) {
    throw new AppError('IMAGE_TOO_LARGE', `Image is ${meta.width}×${meta.height} pixels; the limit is ${limits.maxPixels} pixels`, {
      width: meta.width,
      height: meta.height,
      maxPixels: limits.maxPixels,
    });
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (err) {
    if (/pixel limit/i.test((err as Error).message)) {
      throw new AppError('IMAGE_TOO_LARGE', `Image exceeds the ${limits.maxPixels}-pixel limit`, { maxPixels: limits.maxPixels });
    }
    throw new AppError('INVALID_IMAGE', 'Image is corrupt or truncated');
  }
}
