export type { Viewer, TenantViewer } from './viewer.js';
export { requireTenant, requirePlatform, assertNever, CAPABILITIES, type Capability } from './require-role.js';
export { createAuthenticator, type Authenticate } from './authenticate.js';
export { createApiKeyHasher, type ApiKeyHasher } from './api-key-secret.js';
