import { setImmediate as nextTurn } from 'node:timers/promises';

/** Which face and person each FAISS label stands for, and the labels removed since the build. */
export interface SnapshotIdMap {
  labelFace: readonly string[];
  labelPerson: readonly string[];
  dead: readonly number[];
}

/**
 * Entries per line. A 1M-face id map is ~80 MB of JSON, and one JSON.parse (or stringify) of it
 * holds the event loop for most of a second; line by line, other tenants are served in between.
 */
const LINE_ENTRIES = 8_192;
const NEWLINE = 0x0a;

/**
 * The id map as JSON lines: labelFace, then labelPerson, then dead, each cut into arrays of at
 * most LINE_ENTRIES. No line mixes two lists; the header's counts say where each list ends.
 */
export async function encodeSnapshotIdMap(idMap: SnapshotIdMap): Promise<Buffer> {
  const lines: Buffer[] = [];
  for (const list of [idMap.labelFace, idMap.labelPerson, idMap.dead]) {
    for (let at = 0; at < list.length; at += LINE_ENTRIES) {
      lines.push(Buffer.from(`${JSON.stringify(list.slice(at, at + LINE_ENTRIES))}\n`));
      await nextTurn();
    }
  }
  return Buffer.concat(lines);
}

/**
 * The id map `encodeSnapshotIdMap` wrote for `vectors` labels of which `dead` are removed, or
 * null when the lines do not add up to those counts.
 */
export async function decodeSnapshotIdMap(bytes: Buffer, vectors: number, dead: number): Promise<SnapshotIdMap | null> {
  const lists: [string[], string[], number[]] = [[], [], []];
  const sizes = [vectors, vectors, dead];
  let list = 0;
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end < 0) return null;
    const entries: unknown = JSON.parse(bytes.toString('utf8', start, end));
    start = end + 1;
    while (list < 3 && lists[list]!.length === sizes[list]) list++;
    if (list === 3 || !Array.isArray(entries) || lists[list]!.length + entries.length > sizes[list]!) return null;
    (lists[list] as unknown[]).push(...entries);
    await nextTurn();
  }
  if (lists.some((l, i) => l.length !== sizes[i])) return null;
  return { labelFace: lists[0], labelPerson: lists[1], dead: lists[2] };
}
