import { randomUUID } from 'node:crypto';
import type { ReplicaPosition } from '../db/change-log-repository.js';
import type { IndexKey } from './tenant-indexes.js';

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
