import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { ADMIN_TOKEN } from './test-server.js';
import { facesDevPeople, imageInput } from './datasets.js';
import { unique } from './factories.js';

/** One GraphQL answer as a client sees it, with the parts an outage changes. */
export interface Answer {
  status: number;
  retryAfter: string | null;
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
  degraded: boolean;
  startedAt: number;
  ms: number;
}

export async function post(url: string, query: string, variables: Record<string, unknown>, token: string): Promise<Answer> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: Answer['errors']; extensions?: { degraded?: boolean } };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), data: body.data, errors: body.errors, degraded: body.extensions?.degraded === true, startedAt, ms: performance.now() - t0 };
}

export const IDENTIFY = 'mutation($input: IdentifyInput!) { identify(input: $input) { faces { decision person { id displayName } } eventIds } }';

export interface SeededTenant {
  tenantId: string;
  admin: string;
  personId: string;
  /** A photo of the enrolled person not used for enrollment. */
  probe: { data: string; filename: string };
  /** A photo of the enrolled person, for an enrollment attempt. */
  extraPhoto: { data: string; filename: string };
  createKey(role: string): Promise<{ id: string; secret: string }>;
}

/** A tenant with one person enrolled from three photos, through the API of the server at `url`. */
export async function seedTenant(url: string): Promise<SeededTenant> {
  const slug = unique('outage');
  const created = await post(url, 'mutation($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id } secret } }', { input: { name: slug, slug } }, ADMIN_TOKEN);
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  const admin: string = created.data.createTenant.secret;
  const person = await post(url, 'mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }', { input: { displayName: 'Ada' } }, admin);
  const personId: string = person.data.createPerson.id;
  const [p] = facesDevPeople(5);
  const enrolled = await post(url, 'mutation($input: EnrollFacesInput!) { enrollFaces(input: $input) { session { status } } }', { input: { personId, images: p!.files.slice(0, 3).map(imageInput), largestFaceOnly: true } }, admin);
  assert.equal(enrolled.data?.enrollFaces.session.status, 'COMPLETED', JSON.stringify(enrolled.errors));
  return {
    tenantId: created.data.createTenant.tenant.id,
    admin,
    personId,
    probe: imageInput(p!.files[3]!),
    extraPhoto: imageInput(p!.files[4]!),
    async createKey(role) {
      const key = await post(url, 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } secret } }', { input: { name: unique(role.toLowerCase()), role } }, admin);
      return { id: key.data.createApiKey.apiKey.id, secret: key.data.createApiKey.secret };
    },
  };
}

/** How often each of these event ids is stored, and how many events the tenant has in all. */
export async function storedEvents(databaseUrl: string, tenantId: string, ids: readonly string[]): Promise<{ missing: string[]; total: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const found = await client.query<{ id: string }>('SELECT id::text FROM "RecognitionEvent" WHERE "tenantId" = $1 AND id = ANY($2::uuid[])', [tenantId, ids]);
    const total = await client.query<{ n: string }>('SELECT count(*) AS n FROM "RecognitionEvent" WHERE "tenantId" = $1', [tenantId]);
    const present = new Set(found.rows.map((r) => r.id));
    return { missing: ids.filter((id) => !present.has(id)), total: Number(total.rows[0]!.n) };
  } finally {
    await client.end();
  }
}
