import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FACE_ARCFACE_INT8_FILE } from '../../src/embedding/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createTenant } from '../support/factories.js';
import { MODELS_DIR } from '../helpers/models-dir.js';

const servers: TestServer[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function newTenantModelOn(env: Record<string, string>): Promise<string> {
  // The production default, not the fp32 pin the other suites run with.
  const server = await startTestServer({ VISAGE_NEW_TENANT_MODEL: 'face-arcface-512-int8', ...env });
  servers.push(server);
  const tenant = await createTenant(server);
  const res = await server.gql('{ viewer { tenant { settings { model threshold } } } }', {}, tenant.secret);
  return `${res.data!.viewer.tenant.settings.model} ${res.data!.viewer.tenant.settings.threshold}`;
}

describe('the model a new tenant starts with', () => {
  it('is the int8 face model when this server has it, with that model’s own threshold', { skip: !existsSync(join(MODELS_DIR, FACE_ARCFACE_INT8_FILE)) && 'run npm run models:quantize first' }, async () => {
    assert.equal(await newTenantModelOn({}), 'face-arcface-512-int8 1.1');
  });

  it('falls back to the fp32 face model when the int8 file is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'visage-no-int8-'));
    dirs.push(dir);
    for (const f of ['fr_feature.onnx', 'fr_detect.onnx', 'fr_landmark.onnx']) linkSync(join(MODELS_DIR, f), join(dir, f));
    assert.equal(await newTenantModelOn({ VISAGE_MODELS_DIR: dir }), 'face-arcface-512 1.05');
  });
});
