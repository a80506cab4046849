import { CONFIG_DEFAULTS } from '../config/index.js';
import sharp, { type Metadata } from 'sharp';
import { AppError } from '../errors.js';
import type { RgbImage } from './image.js';

export interface DecodeLimits {
  /** Encoded size limit in bytes; default 15 MB. */
  maxBytes: number;
  /** Decoded pixel limit (width × height); default 40 MP. */
  maxPixels: number;
  /**
   * Longer side the pixels are decoded to at most (JPEG and WebP shrink on load, so a 40 MP photo
   * never exists as a 120 MB bitmap); unset decodes at full resolution.
   */
  maxSide?: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { maxBytes: CONFIG_DEFAULTS.maxImageBytes, maxPixels: CONFIG_DEFAULTS.maxImagePixels };

/**
 * Decodes JPEG/PNG/WebP into upright RGB: EXIF orientation applied, alpha dropped, grey expanded.
 * The pixel limit is checked on the header before any pixel is decoded, so a small file that
 * declares a huge canvas (a decompression bomb) is refused in microseconds.
 */
export async function decodeImage(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<RgbImage> {
  return (await decodeScaled(bytes, limits)).image;
}

/** As decodeImage, shrunk to `limits.maxSide`; `scale` is decoded over original pixels (≤ 1). */
export async function decodeScaled(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Promise<{ image: RgbImage; scale: number }> {
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
    const originalSide = Math.max(meta.width ?? 0, meta.height ?? 0);
    let pipeline = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' }).rotate();
    if (limits.maxSide !== undefined && originalSide > limits.maxSide) {
      // A resize right after load lets libvips decode the JPEG at 1/2, 1/4 or 1/8 scale (shrink
      // on load), then finish with a proper filter; the full-size bitmap is never allocated.
      pipeline = pipeline.resize({ width: limits.maxSide, height: limits.maxSide, fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' });
    }
    const { data, info } = await pipeline
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    const image = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
    return { image, scale: originalSide > 0 ? Math.max(info.width, info.height) / originalSide : 1 };
  } catch (err) {
    if (/pixel limit/i.test((err as Error).message)) {
      throw new AppError('IMAGE_TOO_LARGE', `Image exceeds the ${limits.maxPixels}-pixel limit`, { maxPixels: limits.maxPixels });
    }
    throw new AppError('INVALID_IMAGE', 'Image is corrupt or truncated');
  }
}
