import type { RgbImage } from '../vision/index.js';

/**
 * Splits ffmpeg's `-f image2pipe -c:v ppm` output into frames. Binary PPM (P6) carries its own
 * width and height in a short text header, so frames need no side channel (no ffprobe, no
 * parsing of ffmpeg's log) and arrive as raw RGB, ready for the pipeline.
 */
export class PpmStream {
  private pending: Buffer = Buffer.alloc(0);
  private frame: { data: Uint8Array; width: number; height: number; filled: number } | null = null;

  /** Feeds one chunk; returns the frames it completed. */
  push(chunk: Buffer): RgbImage[] {
    const out: RgbImage[] = [];
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0) {
      if (!this.frame) {
        const header = parseHeader(buf);
        if (header === 'incomplete') {
          this.pending = Buffer.from(buf);
          break;
        }
        this.frame = { data: new Uint8Array(header.width * header.height * 3), width: header.width, height: header.height, filled: 0 };
        buf = buf.subarray(header.length);
      }
      const f = this.frame;
      const take = Math.min(f.data.length - f.filled, buf.length);
      f.data.set(buf.subarray(0, take), f.filled);
      f.filled += take;
      buf = buf.subarray(take);
      if (f.filled === f.data.length) {
        out.push({ data: f.data, width: f.width, height: f.height });
        this.frame = null;
      }
    }
    return out;
  }

  /** True when the stream stopped inside a frame (ffmpeg was cut off). */
  get partial(): boolean {
    return this.frame !== null || this.pending.length > 0;
  }
}

const MAX_HEADER = 64;
const MAX_SIDE = 16384;

/** `P6 <w> <h> 255` followed by exactly one whitespace byte; ffmpeg writes no comments. */
function parseHeader(buf: Buffer): { width: number; height: number; length: number } | 'incomplete' {
  const tokens: string[] = [];
  let i = 0;
  while (tokens.length < 4) {
    while (i < buf.length && isSpace(buf[i]!)) i++;
    const start = i;
    while (i < buf.length && !isSpace(buf[i]!)) i++;
    if (i >= buf.length) {
      if (buf.length > MAX_HEADER) throw new Error('PPM header too long');
      return 'incomplete';
    }
    tokens.push(buf.toString('latin1', start, i));
  }
  const [magic, w, h, max] = tokens;
  const width = Number(w);
  const height = Number(h);
  if (magic !== 'P6' || max !== '255' || !isSide(width) || !isSide(height)) throw new Error(`not an 8-bit P6 frame header: ${tokens.join(' ')}`);
  return { width, height, length: i + 1 };
}

function isSide(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= MAX_SIDE;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}
