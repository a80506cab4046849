import type { InputDefinitionBlock, OutputDefinitionBlock } from 'nexus/dist/core.js';
import { MAX_PIPELINE_CALLS_PER_REQUEST } from '../../tenants/tenant-policy.js';

const DOCS = {
  operatorVoteOverride: 'How far OPERATOR keys may override k1/k2/threshold on identify (default STRICTER). ADMIN keys always may; VIEWER keys cannot identify.',
  clientVoteOverride: 'How far CLIENT keys may override k1/k2/threshold on identify (default NONE: a request that tries gets FORBIDDEN).',
  clientSeesUnknownCandidates: 'Whether CLIENT keys see the nearest people (candidates) of a face that was not recognised (default false).',
  maxPipelineCallsPerRequest: `identify, enrollment and video mutations allowed in one request, 1 to ${MAX_PIPELINE_CALLS_PER_REQUEST} (default 1).`,
};

/** The tenant policy fields, shared by the settings type and the settings input. */
export function policyFields(t: OutputDefinitionBlock<'TenantSettings'> | InputDefinitionBlock<'UpdateTenantSettingsInput'>, output: boolean): void {
  const block = (output ? (t as OutputDefinitionBlock<'TenantSettings'>).nonNull : t) as InputDefinitionBlock<'UpdateTenantSettingsInput'>;
  block.field('operatorVoteOverride', { type: 'VoteOverride', description: DOCS.operatorVoteOverride });
  block.field('clientVoteOverride', { type: 'VoteOverride', description: DOCS.clientVoteOverride });
  block.boolean('clientSeesUnknownCandidates', { description: DOCS.clientSeesUnknownCandidates });
  block.int('maxPipelineCallsPerRequest', { description: DOCS.maxPipelineCallsPerRequest });
}
