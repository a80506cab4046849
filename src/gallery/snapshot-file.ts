import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { readFaissIndex } from './read-faiss-index.js';
import { decodeSnapshotIdMap, encodeSnapshotIdMap, type SnapshotIdMap } from './snapshot-id-map.js';
import { TenantIndex, type IndexContents, type IndexKind, type TenantIndexOptions } from './tenant-index.js';

/**
 * One snapshot is one file: the FAISS index exactly as faiss's own `write_index` writes it, then
 * the id map (JSON lines, see snapshot-id-map.ts), then a JSON header and a fixed trailer. FAISS comes first because faiss-node
 * can only read an index from the start of a file (`Index.readAsync(path)`), and faiss stops reading
 * where its index ends; the header is found from the end. File paths, not `toBuffer`/`fromBuffer`:
 * faiss-node 0.5 never frees the VectorIOWriter/Reader behind those, so every call would leak the
 * whole index once more, and a buffer would hold a second copy of a gigabyte-sized index anyway.
 */

const MAGIC = 'VSGSNAP1';
const TRAILER_BYTES = 4 + MAGIC.length;
const FORMAT = 2;
/** Format 1 held the id map as one JSON document; such snapshots are still read. */
const READABLE_FORMATS = [1, FORMAT];

export interface SnapshotHeader {
  format: number;
  /** snapshotIdOf(key) of the index it holds: a file under another key's name is refused. */
  id: string;
  kind: IndexKind;
  dim: number;
  appliedSeq: string;
  /** Vectors in the FAISS index (live faces plus tombstones). */
  vectors: number;
  faces: number;
  faissBytes: number;
  idMapBytes: number;
  /** SHA-256 (hex) of everything before the header: FAISS bytes and id map. */
  sha256: string;
}

export type SnapshotProblem = 'format' | 'checksum' | 'count';

/** A snapshot that must not be used; the caller rebuilds from the database. */
export class SnapshotInvalid extends Error {
  constructor(
    readonly problem: SnapshotProblem,
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotInvalid';
  }
}

/**
 * Writes `contents` to `path`. FAISS is written on the libuv pool (the patched `writeAsync`), and
 * nothing may change `contents.faiss` until that is done; a caller that must let changes through
 * sooner writes FAISS itself and calls finishSnapshot (IndexSnapshots does).
 */
export async function writeSnapshot(path: string, id: string, kind: IndexKind, appliedSeq: bigint, contents: IndexContents): Promise<SnapshotHeader> {
  await contents.faiss.writeAsync(path);
  return finishSnapshot(path, id, kind, appliedSeq, contents.dim, contents);
}

/** Appends id map, header and trailer to a file that holds a FAISS index (from a build worker). */
export async function finishSnapshot(path: string, id: string, kind: IndexKind, appliedSeq: bigint, dim: number, idMap: SnapshotIdMap): Promise<SnapshotHeader> {
  const faissBytes = (await stat(path)).size;
  const idMapJson = await encodeSnapshotIdMap(idMap);
  const hash = await hashFile(path, faissBytes);
  hash.update(idMapJson);
  const header: SnapshotHeader = {
    format: FORMAT,
    id,
    kind,
    dim,
    appliedSeq: appliedSeq.toString(),
    vectors: idMap.labelFace.length,
    faces: idMap.labelFace.length - idMap.dead.length,
    faissBytes,
    idMapBytes: idMapJson.length,
    sha256: hash.digest('hex'),
  };
  const headerJson = Buffer.from(JSON.stringify(header));
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeUInt32LE(headerJson.length, 0);
  trailer.write(MAGIC, 4, 'latin1');
  const file = await open(path, 'a');
  try {
    await file.writeFile(Buffer.concat([idMapJson, headerJson, trailer]));
    await file.sync();
  } finally {
    await file.close();
  }
  return header;
}

/** The header of a snapshot file, checked for shape only (readSnapshot checks the contents). */
export async function readSnapshotHeader(path: string): Promise<SnapshotHeader> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    if (size < TRAILER_BYTES) throw new SnapshotInvalid('format', `Snapshot ${path} is ${size} bytes: no trailer.`);
    const trailer = Buffer.alloc(TRAILER_BYTES);
    await file.read(trailer, 0, TRAILER_BYTES, size - TRAILER_BYTES);
    const headerBytes = trailer.readUInt32LE(0);
    if (trailer.toString('latin1', 4) !== MAGIC || headerBytes > size - TRAILER_BYTES) {
      throw new SnapshotInvalid('format', `Snapshot ${path} has no valid trailer.`);
    }
    const json = Buffer.alloc(headerBytes);
    await file.read(json, 0, headerBytes, size - TRAILER_BYTES - headerBytes);
    const header = parseHeader(json);
    if (header.faissBytes + header.idMapBytes + headerBytes + TRAILER_BYTES !== size) {
      throw new SnapshotInvalid('count', `Snapshot ${path} is ${size} bytes; its header accounts for a different size.`);
    }
    return header;
  } finally {
    await file.close();
  }
}

/**
 * The index a snapshot file holds, after checking the checksum, the key, and that the id map,
 * the header and FAISS agree on the counts. Any disagreement throws SnapshotInvalid.
 */
export async function readSnapshot(path: string, id: string, options: TenantIndexOptions): Promise<TenantIndex> {
  const header = await readSnapshotHeader(path);
  if (header.id !== id) throw new SnapshotInvalid('format', `Snapshot ${path} holds ${header.id}, not ${id}.`);
  const hash = await hashFile(path, header.faissBytes);
  const idMapJson = Buffer.alloc(header.idMapBytes);
  const file = await open(path, 'r');
  try {
    await file.read(idMapJson, 0, header.idMapBytes, header.faissBytes);
  } finally {
    await file.close();
  }
  if (hash.update(idMapJson).digest('hex') !== header.sha256) throw new SnapshotInvalid('checksum', `Snapshot ${path} does not match its checksum.`);
  const idMap = header.format === 1 ? (JSON.parse(idMapJson.toString()) as SnapshotIdMap) : await decodeSnapshotIdMap(idMapJson, header.vectors, header.vectors - header.faces);
  if (idMap === null) throw new SnapshotInvalid('count', `Snapshot ${path}: its id map does not hold the ${header.vectors} labels its header counts.`);
  const { labelFace, labelPerson, dead } = idMap;
  if (labelFace.length !== header.vectors || labelPerson.length !== header.vectors || header.vectors - dead.length !== header.faces) {
    throw new SnapshotInvalid('count', `Snapshot ${path}: id map of ${labelFace.length} labels disagrees with its header (${header.vectors}).`);
  }
  // faiss reads its index from the start of the file and stops at its end.
  const index = await readFaissIndex(path, header.kind);
  if (index.ntotal() !== header.vectors || index.getDimension() !== header.dim) {
    throw new SnapshotInvalid('count', `Snapshot ${path}: FAISS holds ${index.ntotal()}×${index.getDimension()}, the header says ${header.vectors}×${header.dim}.`);
  }
  return TenantIndex.restore(header.kind, BigInt(header.appliedSeq), { faiss: index, dim: header.dim, labelFace, labelPerson, dead }, options);
}

function parseHeader(json: Buffer): SnapshotHeader {
  let header: SnapshotHeader;
  try {
    header = JSON.parse(json.toString()) as SnapshotHeader;
  } catch {
    throw new SnapshotInvalid('format', 'Snapshot header is not JSON.');
  }
  if (!READABLE_FORMATS.includes(header.format) || (header.kind !== 'flat' && header.kind !== 'hnsw') || !/^\d+$/.test(header.appliedSeq)) {
    throw new SnapshotInvalid('format', `Snapshot header of format ${header.format} is not one this version reads.`);
  }
  return header;
}

/** Streamed in 1 MB reads, so hashing a gigabyte never holds the event loop for long. */
async function hashFile(path: string, bytes: number) {
  const hash = createHash('sha256');
  if (bytes === 0) return hash;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash;
}
