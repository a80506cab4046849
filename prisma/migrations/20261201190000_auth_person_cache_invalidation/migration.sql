-- Every process caches two reads in memory (src/db/read-cache.ts): the API key row with its
-- tenant's status and settings (authentication), and Person rows (identify's labels). These
-- triggers tell every process, on the channel "visage_read_cache", which entries a committed
-- change made stale. Triggers rather than the writing code: no write path can forget, whether it
-- is a repository, raw SQL, a cascade or another replica. NOTIFY is delivered at commit, and not
-- at all on rollback. Payloads (JSON, parsed by src/db/read-cache-feed.ts):
--   {"k": ["prefix", ...]}          these API keys
--   {"t": "tenantId"}               everything of this tenant (its status or settings, or too many rows to name)
--   {"t": "tenantId", "p": [...]}   these people of this tenant
--   {"all": true}                   everything (TRUNCATE, or too many tenants to name)
-- A payload must stay under NOTIFY's 8000 bytes: at most 100 uuids (about 3,900 bytes) or
-- prefixes each; past that the notice widens to the tenant, or to everything.

-- ApiKey: row-level, for the prefix. An UPDATE that changes only "lastUsedAt" (the throttled
-- touch of every authenticated key) notifies nothing: authentication does not read it for any
-- decision, and evicting on it would re-read each key once per touch interval for nothing.
CREATE FUNCTION "read_cache_api_key"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('visage_read_cache', json_build_object('k', json_build_array(OLD."prefix"))::text);
  IF TG_OP = 'UPDATE' AND NEW."prefix" IS DISTINCT FROM OLD."prefix" THEN
    PERFORM pg_notify('visage_read_cache', json_build_object('k', json_build_array(NEW."prefix"))::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "ApiKey_read_cache_update" AFTER UPDATE ON "ApiKey" FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'lastUsedAt') IS DISTINCT FROM (to_jsonb(NEW) - 'lastUsedAt'))
  EXECUTE FUNCTION "read_cache_api_key"();
CREATE TRIGGER "ApiKey_read_cache_delete" AFTER DELETE ON "ApiKey" FOR EACH ROW EXECUTE FUNCTION "read_cache_api_key"();

-- Tenant: authentication reads its status and settings, so only a change of those (or the row's
-- deletion) notifies; the deletion job's "deletionProgress" updates, one per batch, do not.
CREATE FUNCTION "read_cache_tenant"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('visage_read_cache', json_build_object('t', OLD."id")::text);
  RETURN NULL;
END $$;
CREATE TRIGGER "Tenant_read_cache_update" AFTER UPDATE ON "Tenant" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."settings" IS DISTINCT FROM NEW."settings" OR OLD."id" IS DISTINCT FROM NEW."id")
  EXECUTE FUNCTION "read_cache_tenant"();
CREATE TRIGGER "Tenant_read_cache_delete" AFTER DELETE ON "Tenant" FOR EACH ROW EXECUTE FUNCTION "read_cache_tenant"();

-- Person: statement-level with the old rows, because one statement may touch many people (the
-- deletion job's batches, a tenant's cascade, retention): one notice per tenant per 100 people,
-- widened to the tenant past 100 and to everything past 100 tenants. Every column of the row is in
-- a PersonRecord, so every UPDATE notifies.
CREATE FUNCTION "read_cache_person"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tenants INT;
  r RECORD;
BEGIN
  SELECT count(DISTINCT "tenantId") INTO tenants FROM old_rows;
  IF tenants > 100 THEN
    PERFORM pg_notify('visage_read_cache', '{"all":true}');
    RETURN NULL;
  END IF;
  FOR r IN SELECT "tenantId", array_agg("id") AS ids FROM old_rows GROUP BY "tenantId" LOOP
    IF cardinality(r.ids) > 100 THEN
      PERFORM pg_notify('visage_read_cache', json_build_object('t', r."tenantId")::text);
    ELSE
      PERFORM pg_notify('visage_read_cache', json_build_object('t', r."tenantId", 'p', r.ids)::text);
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER "Person_read_cache_update" AFTER UPDATE ON "Person"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "read_cache_person"();
CREATE TRIGGER "Person_read_cache_delete" AFTER DELETE ON "Person"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "read_cache_person"();

-- TRUNCATE fires no row or DELETE trigger: flush everything.
CREATE FUNCTION "read_cache_flush"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('visage_read_cache', '{"all":true}');
  RETURN NULL;
END $$;
CREATE TRIGGER "ApiKey_read_cache_truncate" AFTER TRUNCATE ON "ApiKey" FOR EACH STATEMENT EXECUTE FUNCTION "read_cache_flush"();
CREATE TRIGGER "Tenant_read_cache_truncate" AFTER TRUNCATE ON "Tenant" FOR EACH STATEMENT EXECUTE FUNCTION "read_cache_flush"();
CREATE TRIGGER "Person_read_cache_truncate" AFTER TRUNCATE ON "Person" FOR EACH STATEMENT EXECUTE FUNCTION "read_cache_flush"();
