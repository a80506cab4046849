import { AppError } from '../errors.js';
import { requireTenant, type Viewer } from '../auth/index.js';
import type { ErasureReceipt, ErasureRepository } from '../db/erasure-repository.js';
import { actorOf } from '../audit/actor-of.js';

export interface ErasureDeps {
  erasure: ErasureRepository;
  /** After the erasure commits: this process's index drops the faces (others learn it from the change log). */
  facesRemoved: (tenantId: string, model: string) => Promise<void>;
}

/**
 * The right to erasure, beside deletePerson: deletePerson removes the person and their faces but
 * keeps their recognition events (anonymous) and audit details; erasePerson removes those events
 * too and redacts the audit details, leaving only the record that an erasure happened.
 */
export function createErasureService({ erasure, facesRemoved }: ErasureDeps) {
  return {
    async erasePerson(viewer: Viewer, id: string): Promise<Omit<ErasureReceipt, 'models'>> {
      const v = requireTenant(viewer, 'erasePeople');
      const receipt = await erasure.erasePerson(v.tenantId, id, actorOf(v));
      if (!receipt) throw new AppError('NOT_FOUND', `No person with id "${id}" in this tenant (an erased person is gone for good).`, { field: 'id' });
      await Promise.all(receipt.models.map((model) => facesRemoved(v.tenantId, model)));
      const { models: _models, ...rest } = receipt;
      return rest;
    },
  };
}

export type ErasureService = ReturnType<typeof createErasureService>;
