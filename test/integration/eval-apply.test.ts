import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applySettings } from '../../src/eval/apply-settings.js';
import { createApiClient } from '../../src/cli/api-client.js';
import { createKey, createTenant, type TestTenant } from '../support/factories.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let tenant: TestTenant;

const settingsOf = async (t: TestTenant) =>
  (await server.gql('{ viewer { tenant { settings { model k1 k2 threshold } } } }', {}, t.secret)).data!.viewer.tenant.settings;

describe('eval --apply: writing the chosen point into tenant settings over GraphQL', () => {
  before(async () => {
    server = await startTestServer();
    tenant = await createTenant(server);
  });
  after(async () => server?.stop());

  it("writes model, k1, k2 and threshold with the tenant's ADMIN key", async () => {
    const chosen = { model: 'face-arcface-512', k1: 2, k2: 5, threshold: 0.97 };
    assert.deepEqual(await applySettings({ graphql: createApiClient(server.url, tenant.secret, 1), tenantSlug: tenant.slug }, chosen), chosen);
    assert.deepEqual(await settingsOf(tenant), chosen);
  });

  it('refuses a key of another tenant than the one named', async () => {
    const other = await createTenant(server);
    const before = await settingsOf(other);
    await assert.rejects(
      applySettings({ graphql: createApiClient(server.url, other.secret, 1), tenantSlug: tenant.slug }, { model: 'face-arcface-512', k1: 1, k2: 2, threshold: 1.2 }),
      (e: Error & { code?: string }) => e.code === 'FORBIDDEN' && e.message.includes(other.slug),
    );
    assert.deepEqual(await settingsOf(other), before);
  });

  it('refuses a CLIENT key', async () => {
    const client = await createKey(server, tenant, 'CLIENT');
    await assert.rejects(
      applySettings({ graphql: createApiClient(`${server.url}/graphql`, client.secret, 1), tenantSlug: tenant.slug }, { model: 'face-arcface-512', k1: 1, k2: 2, threshold: 1.2 }),
      (e: Error & { code?: string }) => e.code === 'FORBIDDEN',
    );
  });

  it("passes the server's own validation errors through", async () => {
    await assert.rejects(
      applySettings({ graphql: createApiClient(server.url, tenant.secret, 1), tenantSlug: tenant.slug }, { model: 'face-arcface-512', k1: 3, k2: 3, threshold: 1 }),
      (e: Error & { code?: string }) => e.code === 'BAD_USER_INPUT',
    );
  });
});
