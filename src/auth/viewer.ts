import type { Role } from '../roles.js';

/** Who is calling. Every tenant-scoped operation takes its tenant id from here, never from input. */
export type Viewer =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'platform' }
  | { readonly kind: 'tenant'; readonly tenantId: string; readonly keyId: string; readonly role: Role };

export type TenantViewer = Extract<Viewer, { kind: 'tenant' }>;
