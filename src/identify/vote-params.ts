import { badInput } from '../errors.js';

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

/**
 * The one rule set for vote parameters, at two strictnesses:
 * - `vote`: what classifyFace needs to be well defined. k2 <= k1 (no extension) and threshold 0
 *   (exact matches only) are meaningful there; the eval grid and the vote's tests use them.
 * - `api`: the ranges a tenant may store or a request may send: 1 <= k1 < k2 <= 50 and
 *   0 < threshold <= 2 (unit vectors are at most 2 apart).
 */
const LIMITS = {
  vote: { maxK1: Infinity, k2AboveK1: false, maxK2: Infinity, zeroThreshold: true, maxThreshold: Infinity },
  api: { maxK1: 49, k2AboveK1: true, maxK2: 50, zeroThreshold: false, maxThreshold: 2 },
} as const;

export type VoteParamsScope = keyof typeof LIMITS;

export function validateVoteParams(p: VoteParams, scope: VoteParamsScope = 'api'): void {
  const l = LIMITS[scope];
  const upTo = (max: number) => (max === Infinity ? '' : ` and at most ${max}`);
  if (!Number.isInteger(p.k1) || p.k1 < 1 || p.k1 > l.maxK1) {
    throw badInput('k1', l.maxK1 === Infinity ? `k1 must be a whole number >= 1; got ${p.k1}.` : `k1 must be a whole number from 1 to ${l.maxK1}; got ${p.k1}.`);
  }
  const minK2 = l.k2AboveK1 ? p.k1 + 1 : 1;
  if (!Number.isInteger(p.k2) || p.k2 < minK2 || p.k2 > l.maxK2) {
    const lower = l.k2AboveK1 ? `greater than k1 (${p.k1})` : '>= 1';
    throw badInput('k2', `k2 must be a whole number ${lower}${upTo(l.maxK2)}; got ${p.k2}.`);
  }
  const aboveMin = l.zeroThreshold ? p.threshold >= 0 : p.threshold > 0;
  if (!Number.isFinite(p.threshold) || !aboveMin || p.threshold > l.maxThreshold) {
    const range = l.zeroThreshold ? `a finite number >= 0${upTo(l.maxThreshold)}` : `in (0, ${l.maxThreshold}]`;
    throw badInput('threshold', `threshold must be ${range}; got ${p.threshold}.`);
  }
}
