import { randomUUID } from 'node:crypto';
import type { ReplicaPosition } from '../db/change-log-repository.js';
import type { ChangeKey } from '../db/change-key.js';
import type { IndexKey } from './index-key.js';

// Compile-time check that the change log's key columns (db/change-key.ts) are exactly IndexKey's
// fields: a field added to one and not the other fails the typecheck here instead of compacting by
// a coarser key.
type SameFields<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const KEY_FIELDS_MATCH: SameFields<IndexKey, ChangeKey> = true;
void KEY_FIELDS_MATCH;

export interface HeartbeatStore {
  heartbeat(replicaId: string, positions: readonly ReplicaPosition[]): Promise<void>;
  leave(replicaId: string): Promise<void>;
}

export interface ReplicaHeartbeat {
  readonly replicaId: string;
  /** Reports now (also done every interval). */
  beat(): Promise<void>;
  /** Stops and withdraws this process's positions, so they hold nothing back. */
  stop(): Promise<void>;
}

/**
 * Tells the change-log compaction, every `intervalMs`, how far each index this process holds has
 * applied the log. The reported seqs only lag the real ones, which keeps compaction on the safe side.
 */
export function startReplicaHeartbeat(
  indexes: { positions(): { key: IndexKey; seq: bigint }[] },
  store: HeartbeatStore,
  options: { intervalMs: number; onError: (error: unknown) => void },
): ReplicaHeartbeat {
  const replicaId = randomUUID();
  const beat = () => store.heartbeat(replicaId, indexes.positions());
  const timer = setInterval(() => void beat().catch(options.onError), options.intervalMs);
  timer.unref();
  void beat().catch(options.onError);
  return {
    replicaId,
    beat,
    async stop() {
      clearInterval(timer);
      await store.leave(replicaId).catch(options.onError);
    },
  };
}
