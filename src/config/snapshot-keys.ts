import { parseIntIn, parseOneOf } from './parsers.js';

// Same shape as config-keys.ts's ConfigKey, which spreads this table in (importing it back would be a cycle).
function key<T>(env: string, defaultText: string | undefined, doc: string, parse: (raw: string | undefined) => T) {
  return { env, doc, defaultText, parse };
}

const SNAPSHOT_STORE_KINDS = ['postgres', 'directory', 'off'] as const;
export type SnapshotStoreKind = (typeof SNAPSHOT_STORE_KINDS)[number];

/** Index snapshots and builds (README, Large galleries). */
export const SNAPSHOT_CONFIG_KEYS = {
  snapshotStore: key(
    'VISAGE_SNAPSHOT_STORE',
    'postgres',
    'Where index snapshots are kept so a restart or a new replica loads a tenant index instead of rebuilding it: postgres (chunked, in the database), directory (VISAGE_SNAPSHOT_DIR, e.g. a ReadWriteMany volume all replicas mount) or off.',
    (r) => parseOneOf(r, SNAPSHOT_STORE_KINDS, 'postgres'),
  ),
  snapshotDir: key('VISAGE_SNAPSHOT_DIR', 'VISAGE_DATA_DIR/snapshots', 'Snapshot folder for VISAGE_SNAPSHOT_STORE=directory.', (r) => (r === undefined || r === '' ? undefined : r)),
  snapshotMinFaces: key('VISAGE_SNAPSHOT_MIN_FACES', '1000', 'Indexes with fewer faces get no snapshot (reading them from the database is as fast).', (r) => parseIntIn(r, 1000, 0, 1_000_000_000)),
  snapshotEveryChanges: key(
    'VISAGE_SNAPSHOT_EVERY_CHANGES',
    '50000',
    'A loaded index is snapshotted again after this many faces were added or removed, so a restart applies a short change log.',
    (r) => parseIntIn(r, 50_000, 1, 1_000_000_000),
  ),
} as const;
