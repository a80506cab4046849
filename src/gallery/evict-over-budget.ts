import { hasIndex, type IndexSlot } from './index-slot.js';

/**
 * The memory budget: drops least recently used indexes (never `justLoaded`) while the estimated
 * bytes of all indexes in memory exceed `budgetBytes` (0 = no limit).
 */
export function evictOverBudget(slots: Map<string, IndexSlot>, budgetBytes: number, justLoaded: string, onEvicted: (k: string, bytes: number) => void): void {
  if (budgetBytes <= 0) return;
  const resident = [...slots].flatMap(([k, slot]) => (hasIndex(slot) ? [{ k, lastUsed: slot.lastUsed, bytes: slot.index.estimatedBytes() }] : []));
  let total = resident.reduce((sum, r) => sum + r.bytes, 0);
  for (const r of resident.sort((a, b) => a.lastUsed - b.lastUsed)) {
    if (total <= budgetBytes) return;
    if (r.k === justLoaded) continue;
    slots.delete(r.k);
    total -= r.bytes;
    onEvicted(r.k, r.bytes);
  }
}
