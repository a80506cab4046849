import { AppError, badInput } from '../errors.js';
import type { Role } from '../roles.js';

/**
 * How far a non-ADMIN key may move the vote away from the tenant's settings on one request:
 * NONE: not at all; STRICTER: only towards rejecting more (a lower threshold);
 * ANY: anywhere within the API's ranges.
 */
export const VOTE_OVERRIDES = ['NONE', 'STRICTER', 'ANY'] as const;
export type VoteOverride = (typeof VOTE_OVERRIDES)[number];

/** What a tenant allows its keys beyond their role; stored with the settings. */
export interface TenantPolicy {
  operatorVoteOverride: VoteOverride;
  clientVoteOverride: VoteOverride;
  /** CLIENT keys (door cameras) see the nearest people of an UNKNOWN face only when true. */
  clientSeesUnknownCandidates: boolean;
  /** identify, enrollment and video mutations allowed in one request. */
  maxPipelineCallsPerRequest: number;
}

export const DEFAULT_POLICY: TenantPolicy = {
  operatorVoteOverride: 'STRICTER',
  clientVoteOverride: 'NONE',
  clientSeesUnknownCandidates: false,
  maxPipelineCallsPerRequest: 1,
};

export const MAX_PIPELINE_CALLS_PER_REQUEST = 10;

const isOverride = (v: unknown): v is VoteOverride => typeof v === 'string' && (VOTE_OVERRIDES as readonly string[]).includes(v);

/** Stored JSON → policy, missing or malformed fields taking the defaults. */
export function readPolicy(stored: Record<string, unknown>): TenantPolicy {
  const calls = stored.maxPipelineCallsPerRequest;
  return {
    operatorVoteOverride: isOverride(stored.operatorVoteOverride) ? stored.operatorVoteOverride : DEFAULT_POLICY.operatorVoteOverride,
    clientVoteOverride: isOverride(stored.clientVoteOverride) ? stored.clientVoteOverride : DEFAULT_POLICY.clientVoteOverride,
    clientSeesUnknownCandidates: typeof stored.clientSeesUnknownCandidates === 'boolean' ? stored.clientSeesUnknownCandidates : DEFAULT_POLICY.clientSeesUnknownCandidates,
    maxPipelineCallsPerRequest: typeof calls === 'number' && Number.isInteger(calls) ? calls : DEFAULT_POLICY.maxPipelineCallsPerRequest,
  };
}

export function validatePolicy(p: TenantPolicy): void {
  const calls = p.maxPipelineCallsPerRequest;
  if (!Number.isInteger(calls) || calls < 1 || calls > MAX_PIPELINE_CALLS_PER_REQUEST) {
    throw badInput('maxPipelineCallsPerRequest', `maxPipelineCallsPerRequest must be a whole number from 1 to ${MAX_PIPELINE_CALLS_PER_REQUEST}; got ${calls}.`);
  }
}

function overrideOf(role: Role, policy: TenantPolicy): VoteOverride {
  switch (role) {
    case 'ADMIN':
      return 'ANY';
    case 'OPERATOR':
      return policy.operatorVoteOverride;
    case 'CLIENT':
      return policy.clientVoteOverride;
    case 'VIEWER':
      return 'NONE';
    default: {
      const never: never = role;
      throw new Error(`Unexpected role ${String(never)}`);
    }
  }
}

interface Vote {
  k1: number;
  k2: number;
  threshold: number;
}

/**
 * FORBIDDEN when the request's k1/k2/threshold go further than the tenant lets this role go.
 * STRICTER allows only a lower threshold (it can only turn matches into UNKNOWN), never a higher
 * one: that is how a stranger was recorded as a MATCH at distance 1.38.
 */
export function checkVoteOverride(role: Role, policy: TenantPolicy, tenant: Vote, input: Partial<Record<keyof Vote, number | null>>): void {
  const asked = (['k1', 'k2', 'threshold'] as const).filter((f) => input[f] !== undefined && input[f] !== null && input[f] !== tenant[f]);
  if (asked.length === 0) return;
  const allowed = overrideOf(role, policy);
  const forbidden = (field: string, why: string) =>
    new AppError('FORBIDDEN', `A ${role} key may not set ${field} here: ${why} An ADMIN can change this with updateTenantSettings.`, { field });
  switch (allowed) {
    case 'ANY':
      return;
    case 'NONE':
      throw forbidden(asked[0]!, 'this tenant does not let such keys override the vote settings.');
    case 'STRICTER': {
      if (input.threshold != null && input.threshold > tenant.threshold) throw forbidden('threshold', `it may only be lowered from the tenant's ${tenant.threshold}.`);
      // More or fewer voters can hand a face to another person, so k1 and k2 stay the tenant's.
      if (input.k1 != null && input.k1 !== tenant.k1) throw forbidden('k1', `it must stay at the tenant's ${tenant.k1}.`);
      if (input.k2 != null && input.k2 !== tenant.k2) throw forbidden('k2', `it must stay at the tenant's ${tenant.k2}.`);
      return;
    }
    default: {
      const never: never = allowed;
      throw new Error(`Unexpected override ${String(never)}`);
    }
  }
}

/** Whether this role is shown the nearest people of a face that was not recognised. */
export function maySeeUnknownCandidates(role: Role, policy: TenantPolicy): boolean {
  return role !== 'CLIENT' || policy.clientSeesUnknownCandidates;
}
