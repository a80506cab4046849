import type { Role } from '../roles.js';

/** Who is calling. Every tenant-scoped operation takes its tenant id from here, never from input. */
export type Viewer =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'platform' }
  | {
      readonly kind: 'tenant';
      readonly tenantId: string;
      readonly keyId: string;
      readonly role: Role;
      /** A key scoped to galleries identifies only against them and reads only their people; absent or empty: not scoped. */
      readonly galleryIds?: readonly string[];
    };

export type TenantViewer = Extract<Viewer, { kind: 'tenant' }>;
