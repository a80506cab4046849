import { AppError, badInput } from '../errors.js';
import { requireTenant, type ApiKeyHasher, type Viewer } from '../auth/index.js';
import type { ApiKeyRecord } from '../db/index.js';
import type { KeyRotationRepository } from '../db/key-rotation-repository.js';
import { actorOf } from '../audit/actor-of.js';

/** A week: long enough to redeploy every camera, short enough that a leaked key dies soon. */
const MAX_GRACE_MINUTES = 7 * 24 * 60;

export function createKeyRotationService({ rotation, hasher, clock = () => new Date() }: { rotation: KeyRotationRepository; hasher: ApiKeyHasher; clock?: () => Date }) {
  return {
    /** A new secret for the same name and role; the old one keeps working for `graceMinutes`. */
    async rotate(viewer: Viewer, input: { id: string; graceMinutes: number }): Promise<{ apiKey: ApiKeyRecord; secret: string; previous: ApiKeyRecord }> {
      const v = requireTenant(viewer, 'manageKeys');
      if (!Number.isInteger(input.graceMinutes) || input.graceMinutes < 0 || input.graceMinutes > MAX_GRACE_MINUTES) {
        throw badInput('graceMinutes', `graceMinutes must be a whole number from 0 to ${MAX_GRACE_MINUTES}; got ${input.graceMinutes}.`);
      }
      const { prefix, secret, hash } = hasher.generate();
      const graceUntil = new Date(clock().getTime() + input.graceMinutes * 60_000);
      const result = await rotation.rotate(v.tenantId, input.id, { prefix, secretHash: hash }, graceUntil, actorOf(v));
      if (!result) throw new AppError('NOT_FOUND', `No API key with id "${input.id}" in this tenant.`, { field: 'id' });
      if ('refused' in result) throw new AppError('CONFLICT', `This API key is ${result.refused}; create a new key instead of rotating it.`, { field: 'id' });
      return { apiKey: result.created, secret, previous: result.old };
    },
  };
}

/** createApiKey's optional expiry: in the future, and not absurdly far (10 years). */
export function checkExpiresAt(expiresAt: Date | null | undefined, now: Date): Date | null {
  if (expiresAt === null || expiresAt === undefined) return null;
  if (expiresAt.getTime() <= now.getTime()) throw badInput('expiresAt', 'expiresAt must be in the future.');
  if (expiresAt.getTime() > now.getTime() + 10 * 366 * 86_400_000) throw badInput('expiresAt', 'expiresAt must be within 10 years.');
  return expiresAt;
}

export type KeyRotationService = ReturnType<typeof createKeyRotationService>;
