import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, ADMIN_TOKEN, type TestServer } from '../support/test-server.js';
import { createKey, createPerson, createTenant, errorCode, unique } from '../support/factories.js';

let server: TestServer;
before(async () => {
  server = await startTestServer({ VISAGE_MAX_BODY_BYTES: '64kb', VISAGE_MAX_QUERY_DEPTH: '3' });
});
after(async () => server?.stop());

describe('tenants and keys', () => {
  it('lets the platform admin create a tenant whose first key is an ADMIN of it', async () => {
    const tenant = await createTenant(server);
    const res = await server.gql('{ viewer { role tenant { id slug settings { model k1 k2 threshold } } } }', {}, tenant.secret);
    assert.equal(res.data!.viewer.role, 'ADMIN');
    assert.equal(res.data!.viewer.tenant.id, tenant.id);
    assert.equal(res.data!.viewer.tenant.settings.model, 'face-arcface-512');
  });

  it('lists tenants as a Relay connection for the platform admin only', async () => {
    const a = await createTenant(server);
    await createTenant(server);
    const page1 = await server.gql('{ tenants(first: 1) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }', {}, ADMIN_TOKEN);
    assert.ok(page1.data!.tenants.totalCount >= 2);
    assert.equal(page1.data!.tenants.edges.length, 1);
    assert.equal(page1.data!.tenants.pageInfo.hasNextPage, true);
    const page2 = await server.gql('query($after: String) { tenants(first: 1, after: $after) { edges { node { id } } } }', { after: page1.data!.tenants.pageInfo.endCursor }, ADMIN_TOKEN);
    assert.notEqual(page2.data!.tenants.edges[0].node.id, page1.data!.tenants.edges[0].node.id);
    assert.equal(errorCode(await server.gql('{ tenants { totalCount } }', {}, a.secret)), 'FORBIDDEN');
  });

  it('searches tenants by part of the name or slug, case-insensitively, with LIKE wildcards taken literally', async () => {
    const zebra = await createTenant(server, unique('Zebra'));
    await createTenant(server);
    const search = (text: string) => server.gql('query($s: String) { tenants(first: 50, search: $s) { totalCount edges { node { id } } } }', { s: text }, ADMIN_TOKEN);
    for (const text of [zebra.slug.toUpperCase(), zebra.slug.slice(-8)]) {
      const res = await search(text);
      assert.deepEqual(res.data!.tenants.edges.map((e: { node: { id: string } }) => e.node.id), [zebra.id], text);
      assert.equal(res.data!.tenants.totalCount, 1);
    }
    assert.equal((await search('%')).data!.tenants.totalCount, 0);
    assert.ok((await search('  ')).data!.tenants.totalCount >= 2, 'a blank search lists every tenant');
  });

  it('refuses a duplicate slug with CONFLICT and a malformed slug with BAD_USER_INPUT', async () => {
    const t = await createTenant(server);
    const dup = await server.gql('mutation { createTenant(input: {name: "x", slug: "' + t.slug + '"}) { tenant { id } } }', {}, ADMIN_TOKEN);
    assert.equal(errorCode(dup), 'CONFLICT');
    const bad = await server.gql('mutation { createTenant(input: {name: "x", slug: "Not A Slug"}) { tenant { id } } }', {}, ADMIN_TOKEN);
    assert.equal(errorCode(bad), 'BAD_USER_INPUT');
    assert.equal(bad.errors![0]!.extensions!.field, 'slug');
  });

  it('answers UNAUTHENTICATED for a missing, unknown or revoked key', async () => {
    const tenant = await createTenant(server);
    const missing = await server.gql('{ people { totalCount } }');
    assert.equal(missing.status, 401);
    assert.equal(errorCode(missing), 'UNAUTHENTICATED');
    const unknown = await server.gql('{ people { totalCount } }', {}, 'vsk_0123456789ab_' + 'A'.repeat(32));
    assert.equal(unknown.status, 401);
    assert.equal(errorCode(unknown), 'UNAUTHENTICATED');
    const key = await createKey(server, tenant, 'OPERATOR');
    assert.equal((await server.gql('{ people { totalCount } }', {}, key.secret)).errors, undefined);
    const revoked = await server.gql('mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { revokedAt } }', { input: { id: key.id } }, tenant.secret);
    assert.ok(revoked.data!.revokeApiKey.revokedAt);
    const after = await server.gql('{ people { totalCount } }', {}, key.secret);
    assert.equal(errorCode(after), 'UNAUTHENTICATED');
    assert.match(after.errors![0]!.message, /revoked/);
  });

  it('answers FORBIDDEN when a role lacks the capability', async () => {
    const tenant = await createTenant(server);
    const viewer = await createKey(server, tenant, 'VIEWER');
    const client = await createKey(server, tenant, 'CLIENT');
    assert.equal(errorCode(await server.gql('mutation { createPerson(input: {displayName: "x"}) { id } }', {}, viewer.secret)), 'FORBIDDEN');
    assert.equal(errorCode(await server.gql('mutation { createApiKey(input: {name: "x", role: ADMIN}) { secret } }', {}, client.secret)), 'FORBIDDEN');
    assert.equal(errorCode(await server.gql('mutation { createTenant(input: {name: "x", slug: "x"}) { secret } }', {}, tenant.secret)), 'FORBIDDEN');
  });

  it('validates settings ranges and keeps the old settings on error', async () => {
    const tenant = await createTenant(server);
    const update = 'mutation($input: UpdateTenantSettingsInput!) { updateTenantSettings(input: $input) { settings { k1 k2 threshold } } }';
    const ok = await server.gql(update, { input: { k1: 2, k2: 5, threshold: 0.9 } }, tenant.secret);
    assert.deepEqual(ok.data!.updateTenantSettings.settings, { k1: 2, k2: 5, threshold: 0.9 });
    for (const [input, field] of [[{ k1: 3, k2: 3 }, 'k2'], [{ k1: 0 }, 'k1'], [{ threshold: 2.5 }, 'threshold'], [{ k2: 51 }, 'k2'], [{ model: 'nope' }, 'model']] as const) {
      const res = await server.gql(update, { input }, tenant.secret);
      assert.equal(errorCode(res), 'BAD_USER_INPUT', JSON.stringify(input));
      assert.equal(res.errors![0]!.extensions!.field, field);
    }
    const now = await server.gql('{ viewer { tenant { settings { k1 k2 threshold } } } }', {}, tenant.secret);
    assert.deepEqual(now.data!.viewer.tenant.settings, { k1: 2, k2: 5, threshold: 0.9 });
  });
});

describe('people', () => {
  it('creates, lists, searches, updates and deletes people', async () => {
    const tenant = await createTenant(server);
    const ada = await createPerson(server, tenant.secret, { displayName: 'Ada Lovelace', externalId: 'emp-1', metadata: { team: 'math' } });
    await createPerson(server, tenant.secret, { displayName: 'Alan Turing' });
    const list = await server.gql('{ people(first: 10) { totalCount edges { node { id displayName } } } }', {}, tenant.secret);
    assert.equal(list.data!.people.totalCount, 2);
    const search = await server.gql('{ people(first: 10, search: "lovel") { totalCount edges { node { id metadata } } } }', {}, tenant.secret);
    assert.equal(search.data!.people.totalCount, 1);
    assert.deepEqual(search.data!.people.edges[0].node.metadata, { team: 'math' });
    const upd = await server.gql('mutation($input: UpdatePersonInput!) { updatePerson(input: $input) { displayName externalId } }', { input: { id: ada.id, displayName: 'Ada King' } }, tenant.secret);
    assert.deepEqual(upd.data!.updatePerson, { displayName: 'Ada King', externalId: 'emp-1' });
    const del = await server.gql('mutation($input: DeletePersonInput!) { deletePerson(input: $input) { id } }', { input: { id: ada.id } }, tenant.secret);
    assert.equal(del.data!.deletePerson.id, ada.id);
    assert.equal(errorCode(await server.gql('query($id: ID!) { person(id: $id) { id } }', { id: ada.id }, tenant.secret)), 'NOT_FOUND');
  });

  it("lists a person's enrollment sessions, newest first", async () => {
    const tenant = await createTenant(server);
    const person = await createPerson(server, tenant.secret);
    const start = async () => (await server.gql('mutation($id: ID!) { startEnrollment(input: {personId: $id}) { id } }', { id: person.id }, tenant.secret)).data!.startEnrollment.id as string;
    const first = await start();
    const second = await start();
    const res = await server.gql('query($id: ID!) { person(id: $id) { enrollmentSessions { id status } } }', { id: person.id }, tenant.secret);
    assert.deepEqual(res.data!.person.enrollmentSessions, [{ id: second, status: 'OPEN' }, { id: first, status: 'OPEN' }]);
  });

  it('refuses a duplicate externalId within a tenant but allows it across tenants', async () => {
    const a = await createTenant(server);
    const b = await createTenant(server);
    const externalId = unique('ext');
    await createPerson(server, a.secret, { externalId });
    const dup = await server.gql('mutation($input: CreatePersonInput!) { createPerson(input: $input) { id } }', { input: { displayName: 'x', externalId } }, a.secret);
    assert.equal(errorCode(dup), 'CONFLICT');
    assert.equal(dup.errors![0]!.extensions!.field, 'externalId');
    await createPerson(server, b.secret, { externalId });
  });

  it('answers NOT_FOUND for a malformed or unknown id, BAD_USER_INPUT for bad fields', async () => {
    const tenant = await createTenant(server);
    const del = 'mutation($input: DeletePersonInput!) { deletePerson(input: $input) { id } }';
    assert.equal(errorCode(await server.gql(del, { input: { id: 'not-a-uuid' } }, tenant.secret)), 'NOT_FOUND');
    assert.equal(errorCode(await server.gql(del, { input: { id: '00000000-0000-4000-8000-000000000000' } }, tenant.secret)), 'NOT_FOUND');
    const blank = await server.gql('mutation { createPerson(input: {displayName: "   "}) { id } }', {}, tenant.secret);
    assert.equal(errorCode(blank), 'BAD_USER_INPUT');
    const meta = await server.gql('mutation { createPerson(input: {displayName: "x", metadata: [1,2]}) { id } }', {}, tenant.secret);
    assert.equal(errorCode(meta), 'BAD_USER_INPUT');
    const cursor = await server.gql('{ people(after: "garbage") { totalCount } }', {}, tenant.secret);
    assert.equal(errorCode(cursor), 'BAD_USER_INPUT');
  });
});

describe('protocol limits and probes', () => {
  it('refuses a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ query: '{ viewer { role } }', pad: 'x'.repeat(70_000) }) });
    assert.equal(res.status, 413);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    assert.equal(body.errors[0]!.extensions.code, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a query deeper than the limit with QUERY_TOO_DEEP', async () => {
    const tenant = await createTenant(server);
    const res = await server.gql('{ tenants { edges { node { settings { model } } } } }', {}, tenant.secret);
    assert.equal(errorCode(res), 'QUERY_TOO_DEEP');
    const viaFragment = await server.gql('query { ...T } fragment T on Query { tenants { edges { node { settings { model } } } } }', {}, tenant.secret);
    assert.equal(errorCode(viaFragment), 'QUERY_TOO_DEEP');
  });

  it('answers malformed JSON and GraphQL with client error codes', async () => {
    const raw = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body: '{"query": ' });
    assert.equal(raw.status, 400);
    assert.equal(errorCode(await server.gql('{ people { nope } }', {}, ADMIN_TOKEN)), 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(errorCode(await server.gql('{ people {', {}, ADMIN_TOKEN)), 'GRAPHQL_PARSE_FAILED');
  });

  it('serves /healthz and /readyz', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
  });
});
