import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ConfigError, configDocsMarkdown, loadConfig } from '../../src/config/index.js';

it('gives documented defaults when nothing is set', () => {
  const config = loadConfig({});
  assert.equal(config.port, 4000);
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.maxImageBytes, 15 * 1024 * 1024);
  assert.equal(config.maxBatchImages, 20);
  assert.deepEqual(config.eagerTenants, []);
});

it('parses sizes, lists and booleans', () => {
  const config = loadConfig({ VISAGE_MAX_BODY_BYTES: '2mb', VISAGE_EAGER_TENANTS: 'a, b,,c', VISAGE_READY_REQUIRES_INDEXES: 'yes' });
  assert.equal(config.maxBodyBytes, 2 * 1024 * 1024);
  assert.deepEqual(config.eagerTenants, ['a', 'b', 'c']);
  assert.equal(config.readyRequiresIndexes, true);
});

it('reports every bad key at once, naming each', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', VISAGE_MAX_BATCH_IMAGES: '0', VISAGE_ADMIN_TOKEN: 'short', VISAGE_LOG_LEVEL: 'loud', VISAGE_READY_REQUIRES_INDEXES: 'maybe' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 5, err.message);
      for (const key of ['PORT', 'VISAGE_MAX_BATCH_IMAGES', 'VISAGE_ADMIN_TOKEN', 'VISAGE_LOG_LEVEL', 'VISAGE_READY_REQUIRES_INDEXES']) assert.match(err.message, new RegExp(key));
      return true;
    },
  );
});

it('README documents every configuration key (run npm run config:docs and paste the table)', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(configDocsMarkdown()), 'README.md configuration table is out of date: paste the output of `npm run config:docs`');
});

it('one-of keys take their listed values and name them when refused', () => {
  const config = loadConfig({ VISAGE_INDEX_HNSW_STORAGE: 'sq8', VISAGE_SNAPSHOT_STORE: 'directory' });
  assert.equal(config.hnswStorage, 'sq8');
  assert.equal(config.snapshotStore, 'directory');
  assert.equal(loadConfig({ VISAGE_INDEX_HNSW_STORAGE: '' }).hnswStorage, 'fp16');
  assert.throws(
    () => loadConfig({ VISAGE_INDEX_HNSW_STORAGE: 'int4', VISAGE_SNAPSHOT_STORE: 's3' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, ['VISAGE_INDEX_HNSW_STORAGE: must be flat, fp16 or sq8, not "int4"', 'VISAGE_SNAPSHOT_STORE: must be postgres, directory or off, not "s3"']);
      return true;
    },
  );
});
