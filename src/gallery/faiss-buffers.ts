import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { endianness, tmpdir } from 'node:os';
import path from 'node:path';
import faiss, { type Index, type IndexFlatL2 } from 'faiss-node';
import type { HnswStorage } from '../config/hnsw-storage.js';

/**
 * faiss-node only accepts vectors as number[] (about 150 ns per float, so 100k × 512 costs ~7 s)
 * and exposes no HNSW parameters. Both gaps are closed through faiss's own serialisation, which
 * faiss-node does expose (`toBuffer` / `fromBuffer`, and `write` / `read` by path, which unlike the
 * buffer pair do not leak): a flat index is a fixed header plus the raw
 * float32 matrix, and an empty HNSW index is ~230 bytes whose efConstruction/efSearch fields sit at
 * an offset computed from the format. Every layout assumption is checked before it is trusted, and
 * a mismatch (another faiss version) falls back to the slow public path or throws clearly.
 */

export type FaissIndex = Index;

const FLAT_FOURCC = 'IxF2';
// IndexHNSWFlat and IndexHNSWSQ: the same header and graph, then their own storage.
const HNSW_FOURCCS = ['IHNf', 'IHNs'];
// fourcc, d (i32), ntotal (i64), two dummies (i64), is_trained (u8), metric_type (i32)
const HEADER_BYTES = 4 + 4 + 8 + 8 + 8 + 1 + 4;
let flatLayoutOk: boolean | undefined;

/** An IndexFlatL2 holding `vectors` (row-major, n × dim), added in place (the faiss-node patch takes a Float32Array). */
export function flatIndexFromVectors(dim: number, vectors: Float32Array): IndexFlatL2 {
  const n = vectors.length / dim;
  if (!Number.isInteger(n)) throw new Error(`Vector data of length ${vectors.length} is not a multiple of ${dim}.`);
  const index = new faiss.IndexFlatL2(dim);
  if (n > 0) index.add(vectors);
  return index;
}

/**
 * The bytes faiss's write_index produces for an IndexFlatL2 of `vectors`: a file `IndexFlatL2.read`
 * reads (the bench writes many snapshots without a faiss object each).
 */
export function flatIndexBytes(dim: number, vectors: Float32Array): Buffer {
  flatLayoutOk ??= endianness() === 'LE' && probeFlatLayout();
  if (!flatLayoutOk) throw new Error('This faiss build does not use the flat layout this code writes.');
  const n = vectors.length / dim;
  const buf = Buffer.allocUnsafe(HEADER_BYTES + 8 + vectors.byteLength);
  let o = buf.write(FLAT_FOURCC, 0, 'latin1');
  o = buf.writeInt32LE(dim, o);
  o = buf.writeBigInt64LE(BigInt(n), o);
  o = buf.writeBigInt64LE(1n << 20n, o);
  o = buf.writeBigInt64LE(1n << 20n, o);
  o = buf.writeUInt8(1, o);
  o = buf.writeInt32LE(1, o); // METRIC_L2
  o = buf.writeBigUInt64LE(BigInt(vectors.length), o);
  Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength).copy(buf, o);
  return buf;
}

export interface HnswParams {
  /** Graph degree (the factory's "HNSW<m>"). */
  m: number;
  /** Build-time beam width; faiss-node leaves faiss's default of 40. */
  efConstruction: number;
  /** Search-time beam width; faiss's default is 16, far too low for 95 % recall at 512-d. */
  efSearch: number;
  /**
   * How the vectors are stored: float32 ('flat'), half precision ('fp16': half the memory and the
   * memory traffic that bounds an HNSW build, distances within ~1e-3 of exact), or 8-bit
   * scalar-quantised ('sq8', a quarter of the memory, coarser distances). Both quantised stores
   * must be trained before the first add (a no-op for fp16, but faiss checks the flag).
   */
  storage?: HnswStorage;
}

const HNSW_FACTORY_SUFFIX: Record<HnswStorage, string> = { flat: '', fp16: '_SQfp16', sq8: '_SQ8' };

/** Bytes a stored vector takes per dimension. */
export const HNSW_VALUE_BYTES: Record<HnswStorage, number> = { flat: 4, fp16: 2, sq8: 1 };

/** An empty HNSW<m>,Flat (or HNSW<m>_SQfp16, HNSW<m>_SQ8) L2 index with efConstruction and efSearch set. */
export function createHnswIndex(dim: number, params: HnswParams): Index {
  const factory = `HNSW${params.m}${HNSW_FACTORY_SUFFIX[params.storage ?? 'flat']}`;
  const empty = faiss.Index.fromFactory(dim, factory, faiss.MetricType.METRIC_L2);
  const buf = empty.toBuffer();
  const at = hnswParamsOffset((offset, length) => buf.subarray(offset, offset + length));
  if (buf.readInt32LE(at) !== 40 || buf.readInt32LE(at + 4) !== 16) {
    throw new Error('Unexpected faiss HNSW serialisation: cannot set efConstruction/efSearch; check the faiss version.');
  }
  buf.writeInt32LE(params.efConstruction, at);
  buf.writeInt32LE(params.efSearch, at + 4);
  const index = faiss.Index.fromBuffer(buf);
  if (index.ntotal() !== 0 || index.getDimension() !== dim) throw new Error('faiss did not read back the tuned HNSW index.');
  return index;
}

/**
 * A copy of a built HNSW index searching with another efSearch. It round-trips the whole index
 * through a file (~1 s per 200 MB), so it is for tuning and benchmarks, not per request. By path
 * on both sides: faiss-node's toBuffer never frees its writer and fromBuffer never frees its
 * reader, each leaking a copy of the whole index (2 GB at a million faces).
 */
export function withHnswEfSearch(index: Index, efSearch: number): Index {
  const file = path.join(tmpdir(), `visage-index-${randomUUID()}.faiss`);
  try {
    index.write(file);
    const fd = openSync(file, 'r+');
    try {
      const at = hnswParamsOffset((offset, length) => {
        const part = Buffer.alloc(length);
        readSync(fd, part, 0, length, offset);
        return part;
      });
      const value = Buffer.alloc(4);
      value.writeInt32LE(efSearch);
      writeSync(fd, value, 0, 4, at + 4);
    } finally {
      closeSync(fd);
    }
    return faiss.Index.read(file);
  } finally {
    rmSync(file, { force: true });
  }
}

/**
 * Offset of efConstruction (efSearch follows) in a serialised IndexHNSWFlat or IndexHNSWSQ (faiss
 * write_HNSW), read through `read(offset, length)`: only the small fields, never the arrays.
 */
function hnswParamsOffset(read: (offset: number, length: number) => Buffer): number {
  const header = read(0, HEADER_BYTES + 8);
  if (!HNSW_FOURCCS.includes(header.toString('latin1', 0, 4))) throw new Error('Not a faiss IndexHNSWFlat or IndexHNSWSQ buffer.');
  const metric = header.readInt32LE(HEADER_BYTES - 4);
  let o = HEADER_BYTES + (metric > 1 ? 4 : 0);
  // assign_probas (f64), cum_nneighbor_per_level (i32), levels (i32), offsets (u64), neighbors (i32)
  for (const width of [8, 4, 4, 8, 4]) o += 8 + Number(read(o, 8).readBigUInt64LE(0)) * width;
  return o + 8; // after entry_point and max_level
}

/** The flat layout is confirmed once per process, on first use, against an index faiss built itself. */
function probeFlatLayout(): boolean {
  const probe = new faiss.IndexFlatL2(2);
  probe.add([0.5, -1.25, 3, 4]);
  const buf = probe.toBuffer();
  const expected = Buffer.alloc(HEADER_BYTES + 8 + 16);
  let o = expected.write(FLAT_FOURCC, 0, 'latin1');
  o = expected.writeInt32LE(2, o);
  o = expected.writeBigInt64LE(2n, o);
  o = expected.writeBigInt64LE(1n << 20n, o);
  o = expected.writeBigInt64LE(1n << 20n, o);
  o = expected.writeUInt8(1, o);
  o = expected.writeInt32LE(1, o);
  o = expected.writeBigUInt64LE(4n, o);
  Buffer.from(new Float32Array([0.5, -1.25, 3, 4]).buffer).copy(expected, o);
  return buf.equals(expected);
}
