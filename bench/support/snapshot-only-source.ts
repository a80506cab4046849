import type { FaceIndexSource } from '../../src/db/face-index-source.js';

/**
 * The database side of a snapshot load with nothing changed since the snapshot: no change log,
 * and the count each snapshot holds. bench:index uses it to time the snapshot path itself
 * (file read, checksum, FAISS read, id map) without PostgreSQL holding millions of bench rows;
 * the two round trips a real load adds (change log after the seq, the count) are ~1 ms each.
 * Anything that would need the faces themselves is an error: the bench must not fall back.
 */
export function snapshotOnlySource(facesOf: (tenantId: string) => number): FaceIndexSource {
  const refuse = (): never => {
    throw new Error('the bench expected a snapshot load, and the index asked the database for faces');
  };
  return {
    maxChangeSeq: async () => 0n,
    maxChangeSeqs: async (keys) => keys.map(() => 0n),
    countSearchable: async (key) => facesOf(key.tenantId),
    // eslint-disable-next-line require-yield
    streamSearchable: async function* () {
      refuse();
    },
    changesSince: async () => [],
    fetchSearchable: async () => refuse(),
    compactedThrough: async () => 0n,
  };
}
