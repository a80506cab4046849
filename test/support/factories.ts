import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, type TestServer } from './test-server.js';

/** Fresh data for each test: every call makes a new, uniquely named record. */
export interface TestTenant {
  id: string;
  slug: string;
  /** The tenant's first ADMIN key. */
  secret: string;
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTenant(server: TestServer, name = unique('tenant')): Promise<TestTenant> {
  const res = await server.gql(
    `mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id slug } secret } }`,
    { input: { name, slug: name.toLowerCase() } },
    ADMIN_TOKEN,
  );
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  const { tenant, secret } = res.data!.createTenant;
  return { id: tenant.id, slug: tenant.slug, secret };
}

export async function createKey(server: TestServer, tenant: TestTenant, role: string): Promise<{ id: string; secret: string }> {
  const res = await server.gql(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } secret } }`,
    { input: { name: unique(role.toLowerCase()), role } },
    tenant.secret,
  );
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return { id: res.data!.createApiKey.apiKey.id, secret: res.data!.createApiKey.secret };
}

export async function createPerson(server: TestServer, token: string, input: Record<string, unknown> = {}): Promise<{ id: string; displayName: string; externalId: string | null }> {
  const res = await server.gql(
    `mutation($input: CreatePersonInput!) { createPerson(input: $input) { id displayName externalId } }`,
    { input: { displayName: unique('person'), ...input } },
    token,
  );
  assert.equal(res.errors, undefined, JSON.stringify(res.errors));
  return res.data!.createPerson;
}

export function errorCode(res: { errors?: { extensions?: { code?: string } }[] }): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}
