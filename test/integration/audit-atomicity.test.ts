import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestServer, ADMIN_TOKEN, type TestServer } from '../support/test-server.js';
import { createKey, createTenant, unique, type TestTenant } from '../support/factories.js';

/**
 * Every audited change writes its audit row in the change's own transaction: a change that fails
 * leaves no audit row, and an audit row that cannot be written undoes the change. Failures are
 * real PostgreSQL errors, raised by a trigger this test installs in its own database and arms per
 * case (table, action, tenant), so the server runs unmodified.
 */
let server: TestServer;
const sql = (text: string, values: unknown[] = []) => server.app.db.pool.query(text, values);

before(async () => {
  server = await startTestServer();
  await sql(`CREATE TABLE test_fail (tbl text NOT NULL, op text, action text, tenant text, id text)`);
  await sql(`CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE row jsonb := to_jsonb(NEW);
    BEGIN
      IF EXISTS (SELECT 1 FROM test_fail f WHERE f.tbl = TG_TABLE_NAME
                   AND (f.op IS NULL OR f.op = TG_OP)
                   AND (f.id IS NULL OR f.id = row->>'id')
                   AND (f.action IS NULL OR f.action = row->>'action')
                   AND (f.tenant IS NULL OR f.tenant = COALESCE(row->>'tenantId', row->>'id'))) THEN
        RAISE EXCEPTION 'test_fail: % on %', TG_OP, TG_TABLE_NAME;
      END IF;
      RETURN NEW;
    END $$`);
  for (const table of ['AuditLog', 'PlatformAuditLog', 'Tenant', 'ApiKey']) {
    await sql(`CREATE TRIGGER test_fail BEFORE INSERT OR UPDATE ON "${table}" FOR EACH ROW EXECUTE FUNCTION test_fail()`);
  }
});
after(async () => server?.stop());
beforeEach(async () => {
  await sql('DELETE FROM test_fail');
});

interface Arm {
  op?: 'INSERT' | 'UPDATE';
  action?: string;
  tenant?: string;
  id?: string;
}
const arm = (tbl: string, o: Arm = {}) =>
  sql('INSERT INTO test_fail (tbl, op, action, tenant, id) VALUES ($1, $2, $3, $4, $5)', [tbl, o.op ?? null, o.action ?? null, o.tenant ?? null, o.id ?? null]);

async function auditRows(action: string, tenantId?: string): Promise<number> {
  const { rows } = await sql(`SELECT count(*)::int AS n FROM "AuditLog" WHERE action = $1 AND ($2::uuid IS NULL OR "tenantId" = $2::uuid)`, [action, tenantId ?? null]);
  return rows[0].n;
}

/** What a change touches, read straight from the database, to compare before and after. */
async function tenantState(tenantId: string) {
  const tenant = await sql(`SELECT settings, limits, "eventRetentionDays" FROM "Tenant" WHERE id = $1`, [tenantId]);
  const keys = await sql(`SELECT id, "revokedAt", "expiresAt" FROM "ApiKey" WHERE "tenantId" = $1 ORDER BY id`, [tenantId]);
  return { tenant: tenant.rows[0], keys: keys.rows };
}

interface Case {
  action: string;
  /**
   * The write that is the change itself (narrow: authentication updates the calling key's
   * lastUsedAt, and that must not be what fails).
   */
  change(t: TestTenant, key: { id: string }): [string, Arm];
  run(t: TestTenant, key: { id: string; secret: string }): Promise<{ errors?: unknown[] }>;
}

const CASES: Case[] = [
  {
    action: 'apiKey.create',
    change: (t) => ['ApiKey', { op: 'INSERT', tenant: t.id }],
    run: (t) => server.gql('mutation { createApiKey(input: {name: "cam", role: CLIENT}) { secret } }', {}, t.secret),
  },
  {
    action: 'apiKey.create.platform',
    change: (t) => ['ApiKey', { op: 'INSERT', tenant: t.id }],
    run: (t) => server.gql('mutation($i: IssueTenantAdminKeyInput!) { issueTenantAdminKey(input: $i) { secret } }', { i: { tenantId: t.id, name: 'recovery' } }, ADMIN_TOKEN),
  },
  {
    action: 'apiKey.revoke',
    change: (_t, key) => ['ApiKey', { op: 'UPDATE', id: key.id }],
    run: (t, key) => server.gql('mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { revokedAt } }', { i: { id: key.id } }, t.secret),
  },
  {
    action: 'apiKey.rotate',
    change: (_t, key) => ['ApiKey', { op: 'UPDATE', id: key.id }],
    run: (t, key) => server.gql('mutation($i: RotateApiKeyInput!) { rotateApiKey(input: $i) { secret } }', { i: { id: key.id, graceMinutes: 5 } }, t.secret),
  },
  {
    action: 'tenant.settings.update',
    change: (t) => ['Tenant', { op: 'UPDATE', id: t.id }],
    run: (t) => server.gql('mutation { updateTenantSettings(input: {threshold: 0.42}) { id } }', {}, t.secret),
  },
  {
    action: 'tenant.retention.update',
    change: (t) => ['Tenant', { op: 'UPDATE', id: t.id }],
    run: (t) => server.gql('mutation { updateRetentionSettings(input: {eventRetentionDays: 7}) { eventRetentionDays } }', {}, t.secret),
  },
  {
    action: 'tenant.limits.update',
    change: (t) => ['Tenant', { op: 'UPDATE', id: t.id }],
    run: (t) => server.gql('mutation($i: UpdateTenantLimitsInput!) { updateTenantLimits(input: $i) { maxPeople } }', { i: { tenantId: t.id, maxPeople: 3 } }, ADMIN_TOKEN),
  },
];

describe('audited changes and their audit rows commit together', () => {
  for (const c of CASES) {
    it(`${c.action}: an audit row that cannot be written undoes the change`, async () => {
      const t = await createTenant(server);
      const key = await createKey(server, t, 'OPERATOR');
      const before = { state: await tenantState(t.id), audited: await auditRows(c.action, t.id) };
      await arm('AuditLog', { action: c.action, tenant: t.id });
      const res = await c.run(t, key);
      assert.ok(res.errors, 'the change reports the failure');
      assert.deepEqual({ state: await tenantState(t.id), audited: await auditRows(c.action, t.id) }, before);
    });

    it(`${c.action}: a change that fails leaves no audit row, and once it succeeds there is exactly one`, async () => {
      const t = await createTenant(server);
      const key = await createKey(server, t, 'OPERATOR');
      const audited = await auditRows(c.action, t.id);
      await arm(...c.change(t, key));
      assert.ok((await c.run(t, key)).errors, 'the change fails');
      assert.equal(await auditRows(c.action, t.id), audited);
      await sql('DELETE FROM test_fail');
      const ok = await c.run(t, key);
      assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
      assert.equal(await auditRows(c.action, t.id), audited + 1);
    });
  }

  it('tenant.create: the tenant, its first key and both audit rows commit together or not at all', async () => {
    const create = (slug: string) => server.gql('mutation($i: CreateTenantInput!) { createTenant(input: $i) { tenant { id } } }', { i: { name: slug, slug } }, ADMIN_TOKEN);
    const platformRows = async () => (await sql(`SELECT count(*)::int AS n FROM "PlatformAuditLog" WHERE action = 'tenant.create'`)).rows[0].n as number;
    const tenantsWith = async (slug: string) => (await sql(`SELECT count(*)::int AS n FROM "Tenant" WHERE slug = $1`, [slug])).rows[0].n as number;
    const beforeRows = { tenant: await auditRows('tenant.create'), platform: await platformRows() };

    for (const table of ['AuditLog', 'PlatformAuditLog', 'ApiKey']) {
      await sql('DELETE FROM test_fail');
      await arm(table);
      const slug = unique('atomic');
      assert.ok((await create(slug)).errors, `fails when the ${table} row cannot be written`);
      assert.equal(await tenantsWith(slug), 0, `no tenant is left behind when the ${table} row fails`);
    }
    await sql('DELETE FROM test_fail');
    const taken = await createTenant(server);
    const duplicate = await create(taken.slug);
    assert.equal(duplicate.errors?.[0]?.extensions?.code, 'CONFLICT');
    assert.deepEqual({ tenant: await auditRows('tenant.create'), platform: await platformRows() }, { tenant: beforeRows.tenant + 1, platform: beforeRows.platform + 1 }, 'only the tenant that was created is audited');
  });
});
