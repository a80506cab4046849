import { AppError } from '../errors.js';
import { assertNever } from './require-role.js';

type TenantStatus = 'ACTIVE' | 'SUSPENDED' | 'DELETING' | 'DELETED';

/**
 * The checks that turn a genuine key away: its own expiry (set at creation or by a rotation's
 * grace period) and its tenant's status. Run after the secret is verified, so that only the
 * key's holder learns why it is refused.
 */
export function assertKeyUsable(key: { expiresAt: Date | null; tenant: { status: TenantStatus } }, now: Date): void {
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) {
    throw new AppError('UNAUTHENTICATED', `This API key expired at ${key.expiresAt.toISOString()}; use its replacement or ask a tenant admin for a new key.`, { reason: 'KEY_EXPIRED' });
  }
  const status = key.tenant.status;
  switch (status) {
    case 'ACTIVE':
      return;
    case 'SUSPENDED':
      throw new AppError('TENANT_SUSPENDED', 'This tenant is suspended: its data is kept, but no key works until the platform admin resumes it.');
    case 'DELETING':
    case 'DELETED':
      throw new AppError('UNAUTHENTICATED', 'This tenant has been deleted; its keys no longer work.', { reason: 'TENANT_DELETED' });
    default:
      assertNever(status);
  }
}
