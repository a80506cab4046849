import { AppError } from '../errors.js';
import { createApiClient } from '../cli/api-client.js';

export interface ApplyTarget {
  /** The server's base URL (`/graphql` is appended unless present). */
  server: string;
  /** An ADMIN API key of the tenant. */
  apiKey: string;
  /** Named on the command line so a key of the wrong tenant cannot be applied by mistake. */
  tenantSlug: string;
}

export interface VoteSettings {
  model: string;
  k1: number;
  k2: number;
  threshold: number;
}

/** The tenant's own API, like any client; one attempt, since a person is waiting at the terminal. */
function graphql<T>(target: ApplyTarget, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return createApiClient(target.server, target.apiKey, 1)<T>(query, variables);
}

/**
 * Writes the chosen model, k1, k2 and threshold into the tenant's settings through the public
 * GraphQL API, so the server's own validation, authorisation and audit log apply.
 */
export async function applySettings(target: ApplyTarget, settings: VoteSettings): Promise<VoteSettings> {
  const { viewer } = await graphql<{ viewer: { role: string; tenant: { slug: string } } | null }>(target, '{ viewer { role tenant { slug } } }');
  if (!viewer) throw new AppError('UNAUTHENTICATED', 'The API key is not a tenant key');
  if (viewer.tenant.slug !== target.tenantSlug) {
    throw new AppError('FORBIDDEN', `The API key belongs to tenant "${viewer.tenant.slug}", not "${target.tenantSlug}"`);
  }
  if (viewer.role !== 'ADMIN') throw new AppError('FORBIDDEN', `Changing settings needs an ADMIN key; this one is ${viewer.role}`);
  const { updateTenantSettings } = await graphql<{ updateTenantSettings: { settings: VoteSettings } }>(
    target,
    'mutation($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { settings { model k1 k2 threshold } } }',
    { input: settings },
  );
  return updateTenantSettings.settings;
}
