import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSnapshotIdMap, encodeSnapshotIdMap } from '../../src/gallery/snapshot-id-map.js';

const labels = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('snapshot id map', () => {
  it('decodes what it encoded, across many lines and with the event loop running between them', async () => {
    const idMap = { labelFace: labels(40_000, 'face'), labelPerson: labels(40_000, 'person'), dead: [0, 17, 39_999] };
    const bytes = await encodeSnapshotIdMap(idMap);
    assert.ok(bytes.toString().split('\n').length > 6, 'each list of 40k labels spans several lines');
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      assert.deepEqual(await decodeSnapshotIdMap(bytes, 40_000, 3), idMap);
    } finally {
      clearInterval(ticker);
    }
    assert.ok(turns > 0, 'timers ran while the id map was parsed');
  });

  it('decodes an empty id map', async () => {
    const empty = { labelFace: [], labelPerson: [], dead: [] };
    assert.deepEqual(await decodeSnapshotIdMap(await encodeSnapshotIdMap(empty), 0, 0), empty);
  });

  it('refuses lines that do not add up to the counts given', async () => {
    const bytes = await encodeSnapshotIdMap({ labelFace: labels(5, 'f'), labelPerson: labels(5, 'p'), dead: [1] });
    assert.equal(await decodeSnapshotIdMap(bytes, 5, 0), null, 'one dead label too many');
    assert.equal(await decodeSnapshotIdMap(bytes, 5, 2), null, 'one dead label missing');
    assert.equal(await decodeSnapshotIdMap(bytes, 4, 1), null, 'a line overruns its list');
    assert.equal(await decodeSnapshotIdMap(bytes.subarray(0, bytes.length - 1), 5, 1), null, 'the last line is cut');
  });
});
