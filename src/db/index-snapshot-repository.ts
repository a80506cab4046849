import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { binaryCopyFields } from './copy-binary.js';
import { inTransaction } from './face-changes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StoredSnapshot {
  id: string;
  seq: bigint;
  bytes: number;
  chunks: number;
}

/**
 * Index snapshots stored in PostgreSQL, in chunks (IndexSnapshot + IndexSnapshotChunk). A
 * snapshot row is inserted in the same transaction as its chunks, so a reader never sees a
 * partial one. `key` is the gallery layer's snapshot id; this layer does not interpret it.
 */
export function indexSnapshotRepository(pool: pg.Pool) {
  return {
    async latest(tenantId: string, key: string): Promise<StoredSnapshot | null> {
      const { rows } = await pool.query<{ id: string; seq: string; bytes: string; chunks: number }>(
        `SELECT id::text, seq::text, bytes::text, chunks FROM "IndexSnapshot"
          WHERE "tenantId" = $1 AND key = $2 ORDER BY seq DESC, id DESC LIMIT 1`,
        [tenantId, key],
      );
      const row = rows[0];
      return row ? { id: row.id, seq: BigInt(row.seq), bytes: Number(row.bytes), chunks: row.chunks } : null;
    },

    /**
     * Every chunk's bytes in order, streamed by one binary COPY (raw bytes, no hex text): the
     * caller writes them out as they come, and compares the total with the snapshot's size (a
     * snapshot pruned meanwhile yields nothing). COPY takes no parameters, so both ids are
     * checked to be a UUID and an integer before they are written into the statement.
     */
    async *stream(tenantId: string, snapshotId: string): AsyncGenerator<Buffer> {
      if (!UUID.test(tenantId) || !/^\d+$/.test(snapshotId)) throw new Error(`Not a snapshot id: ${tenantId}/${snapshotId}.`);
      const client = await pool.connect();
      let broken = false;
      try {
        const copy = client.query(
          copyTo(
            `COPY (SELECT data FROM "IndexSnapshotChunk" WHERE "tenantId" = '${tenantId}' AND "snapshotId" = ${snapshotId} ORDER BY no) TO STDOUT (FORMAT binary)`,
          ),
        );
        for await (const field of binaryCopyFields(copy)) yield field.data;
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        // A consumer that stopped early leaves the COPY unfinished on this connection: discard it.
        client.release(broken);
      }
    },

    /**
     * Stores the chunks and then the row in one transaction, and removes this key's snapshots
     * older than the `keep` newest (a replica still reading one of those keeps its chunks until
     * it is pruned, and rebuilds if it loses the race).
     */
    async save(tenantId: string, key: string, seq: bigint, chunks: AsyncIterable<Buffer>, keep: number): Promise<StoredSnapshot> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO "IndexSnapshot" ("tenantId", key, seq, bytes, chunks) VALUES ($1, $2, $3::bigint, 0, 0) RETURNING id::text`,
          [tenantId, key, seq.toString()],
        );
        const id = rows[0]!.id;
        let no = 0;
        let bytes = 0;
        for await (const data of chunks) {
          await client.query(`INSERT INTO "IndexSnapshotChunk" ("snapshotId", "tenantId", no, data) VALUES ($1::bigint, $2, $3, $4)`, [id, tenantId, no++, data]);
          bytes += data.length;
        }
        await client.query(`UPDATE "IndexSnapshot" SET bytes = $2, chunks = $3 WHERE id = $1::bigint`, [id, bytes, no]);
        await client.query(
          `DELETE FROM "IndexSnapshot" WHERE "tenantId" = $1 AND key = $2 AND id NOT IN (
             SELECT id FROM "IndexSnapshot" WHERE "tenantId" = $1 AND key = $2 ORDER BY seq DESC, id DESC LIMIT $3)`,
          [tenantId, key, keep],
        );
        return { id, seq, bytes, chunks: no };
      });
    },

    /** Every snapshot of a tenant (its chunks go by cascade). */
    async deleteTenant(tenantId: string): Promise<number> {
      const { rowCount } = await pool.query(`DELETE FROM "IndexSnapshot" WHERE "tenantId" = $1`, [tenantId]);
      return rowCount ?? 0;
    },
  };
}

export type IndexSnapshotRepository = ReturnType<typeof indexSnapshotRepository>;
