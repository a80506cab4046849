import type { TenantViewer } from '../auth/index.js';
import type { AuditActor } from '../db/audit-write.js';

export function actorOf(viewer: TenantViewer): AuditActor {
  return { type: 'KEY', keyId: viewer.keyId };
}
