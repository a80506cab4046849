export type { Viewer, TenantViewer } from './viewer.js';
export { requireTenant, requirePlatform, assertNever, CAPABILITIES, type Capability } from './require-role.js';
export { createAuthenticator, type Authenticate } from './authenticate.js';
export { generateApiKeySecret } from './api-key-secret.js';
