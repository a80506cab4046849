import type { FaceIndexKey, FaceIndexSource } from '../db/face-index-source.js';
import type { TenantIndex } from './tenant-index.js';

export interface AppliedChanges {
  added: number;
  removed: number;
  /** The index's appliedSeq afterwards. */
  seq: bigint;
  /** Compaction deleted changes this index had not applied: it must be reloaded (index.missedChanges is set). */
  missed: boolean;
}

/**
 * Brings `index` up to date with the FaceChange log after its appliedSeq. Per face only the last
 * op in a page matters: a last DELETE removes it; a last ADD re-reads the face and adds it only
 * if it is still stored, searchable and its person still in the gallery (so an ADD followed by an unlogged delete adds nothing).
 * The caller must not run two of these on one index at once (TenantIndexes serialises them).
 * Afterwards it reads the key's compaction mark: if compaction deleted changes past the seq this
 * started from, the log can no longer bring the index up to date, and the index says so.
 */
export async function applyChanges(
  index: TenantIndex,
  source: FaceIndexSource,
  key: FaceIndexKey,
  pageSize = 5000,
): Promise<AppliedChanges> {
  let added = 0;
  let removed = 0;
  const from = index.appliedSeq;
  for (;;) {
    const changes = await source.changesSince(key, index.appliedSeq, pageSize);
    if (changes.length === 0) break;
    const lastOp = new Map<string, 'ADD' | 'DELETE'>();
    for (const change of changes) lastOp.set(change.faceId, change.op);
    const toAdd: string[] = [];
    const toRemove: string[] = [];
    for (const [faceId, op] of lastOp) (op === 'ADD' ? toAdd : toRemove).push(faceId);
    removed += index.remove(toRemove);
    const missing = toAdd.filter((id) => !index.has(id));
    if (missing.length > 0) added += await index.add(await source.fetchSearchable(key, missing));
    index.appliedSeq = changes[changes.length - 1]!.seq;
    if (changes.length < pageSize) break;
  }
  const missed = (await source.compactedThrough(key)) > from;
  if (missed) index.missedChanges = true;
  return { added, removed, seq: index.appliedSeq, missed };
}
