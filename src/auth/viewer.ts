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
      /**
       * The tenant's stored settings as read with the key, in the same round trip, for this
       * request only (so as fresh as a read by the use case itself). Absent when the viewer was
       * made another way; then the use case reads them.
       */
      readonly tenantSettings?: unknown;
    };

export type TenantViewer = Extract<Viewer, { kind: 'tenant' }>;
