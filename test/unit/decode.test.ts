import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { AppError } from '../../src/errors.js';
import { decodeImage, DEFAULT_DECODE_LIMITS } from '../../src/vision/decode.js';
import { pngClaiming } from '../helpers/crafted-png.js';

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof AppError && err.code === code);
}

const rgb = (width: number, height: number, fill: (x: number, y: number) => [number, number, number]) => {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(fill(x, y), (y * width + x) * 3);
  return sharp(data, { raw: { width, height, channels: 3 } });
};

describe('decodeImage limits', () => {
  it('refuses a small PNG that declares 30000×30000 pixels without decoding it', async () => {
    const bomb = pngClaiming(30000, 30000);
    assert.ok(bomb.length < 200_000, 'the crafted file itself is small');
    const before = process.memoryUsage().rss;
    await rejectsWith(decodeImage(bomb), 'IMAGE_TOO_LARGE');
    // Decoding would need 2.7 GB; refusing from the header needs next to nothing.
    assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024);
  });

  it('refuses an image above a configured pixel limit', async () => {
    const png = await rgb(100, 100, () => [1, 2, 3]).png().toBuffer();
    await rejectsWith(decodeImage(png, { maxBytes: DEFAULT_DECODE_LIMITS.maxBytes, maxPixels: 5_000 }), 'IMAGE_TOO_LARGE');
    const ok = await decodeImage(png, { maxBytes: DEFAULT_DECODE_LIMITS.maxBytes, maxPixels: 10_000 });
    assert.equal(ok.width * ok.height, 10_000);
  });

  it('refuses an encoded file above the byte limit', async () => {
    const png = await rgb(10, 10, () => [1, 2, 3]).png().toBuffer();
    await rejectsWith(decodeImage(png, { maxBytes: png.length - 1, maxPixels: 1e6 }), 'IMAGE_TOO_LARGE');
  });

  it('uses 15 MB and 40 MP by default', () => {
    assert.deepEqual(DEFAULT_DECODE_LIMITS, { maxBytes: 15 * 1024 * 1024, maxPixels: 40_000_000 });
  });
});

describe('decodeImage formats', () => {
  it('rejects bytes that are not an image, and an empty buffer', async () => {
    await rejectsWith(decodeImage(Buffer.from('definitely not a picture')), 'INVALID_IMAGE');
    await rejectsWith(decodeImage(Buffer.alloc(0)), 'INVALID_IMAGE');
  });

  it('rejects formats outside JPEG, PNG and WebP', async () => {
    const gif = await rgb(8, 8, () => [9, 9, 9]).gif().toBuffer();
    await rejectsWith(decodeImage(gif), 'INVALID_IMAGE');
  });

  it('rejects a truncated JPEG', async () => {
    const jpeg = await rgb(64, 64, (x, y) => [x * 4, y * 4, 0]).jpeg().toBuffer();
    await rejectsWith(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'INVALID_IMAGE');
  });

  it('applies EXIF orientation: a landscape stored with orientation 6 comes out upright portrait', async () => {
    // Stored 20×10, left half red, right half blue; orientation 6 = rotate 90° clockwise to display,
    // which puts the stored left edge at the top.
    const jpeg = await rgb(20, 10, (x) => (x < 10 ? [255, 0, 0] : [0, 0, 255])).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const image = await decodeImage(jpeg);
    assert.deepEqual([image.width, image.height], [10, 20]);
    const top = image.data.subarray((2 * 10 + 5) * 3, (2 * 10 + 5) * 3 + 3);
    const bottom = image.data.subarray((17 * 10 + 5) * 3, (17 * 10 + 5) * 3 + 3);
    assert.ok(top[0]! > 200 && top[2]! < 60, `top should be red, got ${Array.from(top)}`);
    assert.ok(bottom[2]! > 200 && bottom[0]! < 60, `bottom should be blue, got ${Array.from(bottom)}`);
  });

  it('expands a grey PNG to RGB', async () => {
    const grey = await sharp(Buffer.alloc(6 * 4, 77), { raw: { width: 6, height: 4, channels: 1 } }).png().toBuffer();
    const image = await decodeImage(grey);
    assert.equal(image.data.length, 6 * 4 * 3);
    assert.deepEqual(Array.from(image.data.subarray(0, 3)), [77, 77, 77]);
  });

  it('drops the alpha channel', async () => {
    const rgba = await sharp(Buffer.from([10, 20, 30, 255, 40, 50, 60, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const image = await decodeImage(rgba);
    assert.deepEqual(Array.from(image.data), [10, 20, 30, 40, 50, 60]);
  });

  it('decodes the grey 92×112 ORL crops used for the pre-cropped path', async () => {
    const image = await decodeImage(readFileSync(new URL('../fixtures/orl/s1/train1.png', import.meta.url)));
    assert.deepEqual([image.width, image.height, image.data.length], [92, 112, 92 * 112 * 3]);
  });

  it('decodes WebP', async () => {
    const webp = await rgb(16, 8, () => [200, 100, 50]).webp({ lossless: true }).toBuffer();
    const image = await decodeImage(webp);
    assert.deepEqual(Array.from(image.data.subarray(0, 3)), [200, 100, 50]);
  });
});
