import { AppError, ERROR_CODES, type ErrorCode } from '../errors.js';

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

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql<T>(target: ApplyTarget, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const url = target.server.replace(/\/+$/, '').replace(/(\/graphql)?$/, '/graphql');
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (err) {
    throw new AppError('INTERNAL_SERVER_ERROR', `Cannot reach ${url}: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as GraphQLResponse<T>;
  const first = body.errors?.[0];
  if (first) {
    const code = (ERROR_CODES as readonly string[]).includes(first.extensions?.code ?? '') ? (first.extensions!.code as ErrorCode) : 'INTERNAL_SERVER_ERROR';
    throw new AppError(code, `${url}: ${first.message}`);
  }
  if (!body.data) throw new AppError('INTERNAL_SERVER_ERROR', `${url} answered HTTP ${res.status} without data`);
  return body.data;
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
