export { createTenantService, type TenantService, type TenantView, type CreatedKey, type SettingsInput, type TenantServiceDeps } from './tenant-service.js';
export { readSettings, defaultSettings, DEFAULT_MODEL, MODEL_DEFAULTS, type TenantSettings } from './tenant-settings.js';
export { checkVoteOverride, maySeeUnknownCandidates, readPolicy, validatePolicy, DEFAULT_POLICY, VOTE_OVERRIDES, type TenantPolicy, type VoteOverride } from './tenant-policy.js';
