import { badInput } from '../errors.js';
import type { Neighbour } from '../search/index.js';

export interface VoteParams {
  /** Neighbours whose votes decide first. */
  k1: number;
  /** Neighbours consulted when the first k1 leave a tie; values below k1 mean "no extension". */
  k2: number;
  /** A neighbour votes only when its distance is <= threshold. */
  threshold: number;
}

/** A request's own vote parameters; GraphQL sends null for an argument left out. */
export type VoteOverrides = { [K in keyof VoteParams]?: VoteParams[K] | null };

export type Classification =
  | {
      decision: 'MATCH';
      label: string;
      /** Votes the winner received in the tally that decided: the first k1, or the first k2 after extension. */
      votes: number;
      /** Nearest distance among the winner's counted neighbours. */
      distance: number;
    }
  | {
      decision: 'UNKNOWN';
      /** Always 0: a decision is UNKNOWN only when nobody voted. */
      votes: 0 | number;
      /** Nearest neighbour's distance (useful for threshold tuning); null for an empty gallery. */
      distance: number | null;
    };

interface Tally {
  label: string;
  votes: number;
  distanceSum: number;
  nearest: number;
  /** Position of the label's nearest neighbour: the last, deterministic tie-breaker. */
  firstRank: number;
}

/**
 * The paper's classify_face, read deliberately so that k2 matters.
 *
 * Taken literally, the paper's "include neighbours k1..k2 when the threshold is not met" can never
 * change a result: neighbours come sorted by distance, so if none of the first k1 is within the
 * threshold, none after is. We give k2 the useful meaning instead:
 *  1. Only neighbours with distance <= threshold vote. If none of the first k1 does, the face is
 *     UNKNOWN (later neighbours are farther still).
 *  2. The label with the most votes among the first k1 wins if its lead is strict.
 *  3. On a tie, the votes of neighbours k1+1..k2 within the threshold are added to the tally (every
 *     label may gain votes, the widened window is simply a bigger ballot) and the strict leader wins.
 *  4. A tie that remains goes to the smaller mean distance of the tied labels' counted neighbours;
 *     if even that is equal, to the label whose nearest neighbour ranks first.
 * `votes` in a MATCH is the winner's count in the tally that decided (k1 in step 2, k2 afterwards).
 */
export function classifyFace(neighbours: readonly Neighbour[], params: VoteParams): Classification {
  validate(params);
  // Callers pass FAISS order already; a stable sort makes "first k1" hold for any caller.
  const sorted = [...neighbours].sort((a, b) => a.distance - b.distance);
  const nearest = sorted[0];
  if (nearest === undefined || nearest.distance > params.threshold) {
    return { decision: 'UNKNOWN', votes: 0, distance: nearest?.distance ?? null };
  }

  const k2 = Math.max(params.k1, params.k2);
  const first = tally(sorted, params.k1, params.threshold);
  const leader = strictLeader(first);
  if (leader !== undefined) return match(leader);

  const widened = tally(sorted, k2, params.threshold);
  return match(strictLeader(widened) ?? byMeanDistance(topVoted(widened)));
}

function validate({ k1, k2, threshold }: VoteParams): void {
  if (!Number.isInteger(k1) || k1 < 1) throw badInput('k1', 'k1 must be an integer >= 1.');
  if (!Number.isInteger(k2) || k2 < 1) throw badInput('k2', 'k2 must be an integer >= 1.');
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw badInput('threshold', 'threshold must be a finite number >= 0.');
  }
}

function tally(sorted: readonly Neighbour[], k: number, threshold: number): Tally[] {
  const byLabel = new Map<string, Tally>();
  const window = Math.min(k, sorted.length);
  for (let rank = 0; rank < window; rank++) {
    const n = sorted[rank]!;
    // Sorted input: once one neighbour is too far, all later ones are too.
    if (n.distance > threshold) break;
    const t = byLabel.get(n.label);
    if (t === undefined) {
      byLabel.set(n.label, { label: n.label, votes: 1, distanceSum: n.distance, nearest: n.distance, firstRank: rank });
    } else {
      t.votes += 1;
      t.distanceSum += n.distance;
    }
  }
  return [...byLabel.values()];
}

function topVoted(tallies: readonly Tally[]): Tally[] {
  const max = Math.max(...tallies.map((t) => t.votes));
  return tallies.filter((t) => t.votes === max);
}

function strictLeader(tallies: readonly Tally[]): Tally | undefined {
  const top = topVoted(tallies);
  return top.length === 1 ? top[0] : undefined;
}

function byMeanDistance(tied: readonly Tally[]): Tally {
  const mean = (t: Tally): number => t.distanceSum / t.votes;
  return tied.reduce((best, t) => {
    const d = mean(t) - mean(best);
    return d < 0 || (d === 0 && t.firstRank < best.firstRank) ? t : best;
  });
}

function match(winner: Tally): Classification {
  return { decision: 'MATCH', label: winner.label, votes: winner.votes, distance: winner.nearest };
}
