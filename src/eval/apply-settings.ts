import { AppError } from '../errors.js';

/** A GraphQL client of the server, authenticated with an ADMIN key of the tenant (the CLI's ApiClient). */
export type GraphQLClient = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

export interface ApplyTarget {
  graphql: GraphQLClient;
  /** Named on the command line so a key of the wrong tenant cannot be applied by mistake. */
  tenantSlug: string;
}

export interface VoteSettings {
  model: string;
  k1: number;
  k2: number;
  threshold: number;
}

/**
 * Writes the chosen model, k1, k2 and threshold into the tenant's settings through the public
 * GraphQL API, so the server's own validation, authorisation and audit log apply.
 */
export async function applySettings(target: ApplyTarget, settings: VoteSettings): Promise<VoteSettings> {
  const { viewer } = await target.graphql<{ viewer: { role: string; tenant: { slug: string } } | null }>('{ viewer { role tenant { slug } } }');
  if (!viewer) throw new AppError('UNAUTHENTICATED', 'The API key is not a tenant key');
  if (viewer.tenant.slug !== target.tenantSlug) {
    throw new AppError('FORBIDDEN', `The API key belongs to tenant "${viewer.tenant.slug}", not "${target.tenantSlug}"`);
  }
  if (viewer.role !== 'ADMIN') throw new AppError('FORBIDDEN', `Changing settings needs an ADMIN key; this one is ${viewer.role}`);
  const { updateTenantSettings } = await target.graphql<{ updateTenantSettings: { settings: VoteSettings } }>(
    'mutation($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { settings { model k1 k2 threshold } } }',
    { input: settings },
  );
  return updateTenantSettings.settings;
}
