import type { Role } from '../roles.js';
import { AppError, badInput } from '../errors.js';
import { assertNever, requirePlatform, requireTenant, type ApiKeyHasher, type Viewer } from '../auth/index.js';
import { checkPageSize, decodeCursor, isUuid, type ApiKeyRecord, type Page, type Repositories, type TenantRecord } from '../db/index.js';
import { defaultSettings, readSettings, type TenantSettings } from './tenant-settings.js';
import { validateVoteParams } from '../identify/vote-params.js';
import { validatePolicy, type TenantPolicy } from './tenant-policy.js';
import { checkExpiresAt } from '../lifecycle/key-rotation-service.js';
import { actorOf } from '../audit/actor-of.js';
import type { AuditActor } from '../db/audit-write.js';
import { checkGalleryIds } from '../galleries/gallery-ids.js';

export interface TenantView extends Omit<TenantRecord, 'settings'> {
  settings: TenantSettings;
}

export interface CreatedKey {
  apiKey: ApiKeyRecord;
  /** Shown once; only its hash is stored. */
  secret: string;
}

export type SettingsInput = {
  model?: string | null;
  defaultGalleryIds?: readonly string[] | null;
  k1?: number | null;
  k2?: number | null;
  threshold?: number | null;
} & { [K in keyof TenantPolicy]?: TenantPolicy[K] | null };

export interface TenantServiceDeps {
  repos: Repositories;
  /** Embedding model ids this server can run. */
  knownModels: () => readonly string[];
  /** The model a new tenant starts with. */
  newTenantModel: string;
  /** Faces stored for the tenant under a model other than `model` (a model switch would strand them). */
  facesOfOtherModels: (tenantId: string, model: string) => Promise<number>;
  apiKeyHasher: ApiKeyHasher;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function view(t: TenantRecord): TenantView {
  return { ...t, settings: readSettings(t.settings) };
}

export function createTenantService({ repos, knownModels, newTenantModel, facesOfOtherModels, apiKeyHasher }: TenantServiceDeps) {
  async function issueKey(tenantId: string, name: string, role: Role, expiresAt: Date | null, audit: { actor: AuditActor; action: string }, galleryIds: string[] = []): Promise<CreatedKey> {
    if (name.trim().length === 0 || name.length > 100) throw badInput('name', 'A key name must be 1 to 100 characters.');
    const { prefix, secret, hash } = apiKeyHasher.generate();
    const apiKey = await repos.apiKeys.create(tenantId, { name: name.trim(), role, prefix, secretHash: hash, expiresAt, galleryIds }, audit);
    return { apiKey, secret };
  }

  return {
    async createTenant(viewer: Viewer, input: { name: string; slug: string }): Promise<CreatedKey & { tenant: TenantView }> {
      requirePlatform(viewer);
      if (input.name.trim().length === 0 || input.name.length > 200) throw badInput('name', 'A tenant name must be 1 to 200 characters.');
      if (!SLUG.test(input.slug)) throw badInput('slug', 'A slug is 1 to 63 lowercase letters, digits or dashes, not starting or ending with a dash.');
      const { prefix, secret, hash } = apiKeyHasher.generate();
      const { tenant, apiKey } = await repos.tenants.create(
        { name: input.name.trim(), slug: input.slug, settings: defaultSettings(newTenantModel) },
        { name: 'initial admin key', role: 'ADMIN', prefix, secretHash: hash },
      );
      return { tenant: view(tenant), apiKey, secret };
    },

    async listTenants(viewer: Viewer, args: { first: number; after?: string | null; search?: string | null }): Promise<Page<TenantView>> {
      requirePlatform(viewer);
      const page = await repos.tenants.list(checkPageSize(args.first), decodeCursor(args.after), args.search?.trim() || undefined);
      return { ...page, items: page.items.map(view) };
    },

    /** The calling key's role; null for the platform admin, who belongs to no tenant. */
    async viewer(viewer: Viewer): Promise<{ role: Role } | null> {
      if (viewer.kind === 'platform') return null;
      return { role: requireTenant(viewer, 'readTenant').role };
    },

    async viewerTenant(viewer: Viewer): Promise<TenantView> {
      const v = requireTenant(viewer, 'readTenant');
      const tenant = await repos.tenants.byId(v.tenantId);
      if (!tenant) throw new AppError('UNAUTHENTICATED', 'The tenant of this API key no longer exists.');
      return view(tenant);
    },

    async updateSettings(viewer: Viewer, input: SettingsInput): Promise<TenantView> {
      const v = requireTenant(viewer, 'manageSettings');
      const current = await this.viewerTenant(viewer);
      const model = input.model ?? current.settings.model;
      if (!knownModels().includes(model)) throw badInput('model', `Unknown embedding model "${model}"; available: ${knownModels().join(', ')}.`);
      const base = model === current.settings.model ? current.settings : defaultSettings(model);
      const next: TenantSettings = {
        model,
        k1: input.k1 ?? base.k1,
        k2: input.k2 ?? base.k2,
        threshold: input.threshold ?? base.threshold,
        defaultGalleryIds: input.defaultGalleryIds ? await checkGalleryIds(repos, v.tenantId, input.defaultGalleryIds, 'defaultGalleryIds') : current.settings.defaultGalleryIds,
        operatorVoteOverride: input.operatorVoteOverride ?? current.settings.operatorVoteOverride,
        clientVoteOverride: input.clientVoteOverride ?? current.settings.clientVoteOverride,
        clientSeesUnknownCandidates: input.clientSeesUnknownCandidates ?? current.settings.clientSeesUnknownCandidates,
        maxPipelineCallsPerRequest: input.maxPipelineCallsPerRequest ?? current.settings.maxPipelineCallsPerRequest,
      };
      validateVoteParams(next);
      validatePolicy(next);
      if (model !== current.settings.model) {
        const stranded = await facesOfOtherModels(v.tenantId, model);
        if (stranded > 0) {
          throw new AppError(
            'CONFLICT',
            `This tenant has ${stranded} faces embedded with another model; switching to "${model}" would make them unsearchable. Delete them or re-enroll first (re-embedding is not automatic).`,
            { field: 'model' },
          );
        }
      }
      return view(await repos.tenants.updateSettings(v.tenantId, next, actorOf(v)));
    },

    async createApiKey(viewer: Viewer, input: { name: string; role: Role; expiresAt?: Date | null; galleryIds?: readonly string[] | null }): Promise<CreatedKey> {
      const v = requireTenant(viewer, 'manageKeys');
      // Only a CLIENT key (a camera, a kiosk) can be scoped: the other roles manage or report on the whole tenant.
      if (input.galleryIds && input.role !== 'CLIENT') throw badInput('galleryIds', `Only CLIENT keys can be scoped to galleries; a ${input.role} key acts on the whole tenant.`);
      const galleryIds = input.galleryIds ? await checkGalleryIds(repos, v.tenantId, input.galleryIds, 'galleryIds') : [];
      return issueKey(v.tenantId, input.name, input.role, checkExpiresAt(input.expiresAt, new Date()), { actor: actorOf(v), action: 'apiKey.create' }, galleryIds);
    },

    async revokeApiKey(viewer: Viewer, id: string): Promise<ApiKeyRecord> {
      const v = requireTenant(viewer, 'manageKeys');
      const result = await repos.apiKeys.revoke(v.tenantId, id, new Date(), actorOf(v));
      switch (result.kind) {
        case 'notFound':
          throw new AppError('NOT_FOUND', `No API key with id "${id}" in this tenant.`, { field: 'id' });
        case 'lastAdmin':
          throw new AppError('CONFLICT', 'This is the tenant’s last active ADMIN key; revoking it would lock the tenant out. Create another ADMIN key first.', { field: 'id' });
        case 'revoked':
          return result.key;
        default:
          return assertNever(result);
      }
    },

    /** Recovery: the platform admin issues a tenant ADMIN key (audited, with no actor key). */
    async issueTenantAdminKey(viewer: Viewer, input: { tenantId: string; name: string }): Promise<CreatedKey> {
      requirePlatform(viewer);
      const tenant = isUuid(input.tenantId) ? await repos.tenants.byId(input.tenantId) : null;
      if (!tenant) throw new AppError('NOT_FOUND', `No tenant with id "${input.tenantId}".`, { field: 'tenantId' });
      return issueKey(tenant.id, input.name, 'ADMIN', null, { actor: { type: 'PLATFORM' }, action: 'apiKey.create.platform' });
    },

    async listApiKeys(viewer: Viewer, args: { first: number; after?: string | null }): Promise<Page<ApiKeyRecord>> {
      const v = requireTenant(viewer, 'manageKeys');
      return repos.apiKeys.list(v.tenantId, checkPageSize(args.first), decodeCursor(args.after));
    },
  };
}

export type TenantService = ReturnType<typeof createTenantService>;
