import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/logger.js';
import { AppError, isAppError } from '../../src/errors.js';
import { isDatabaseUnreachable } from '../../src/db/index.js';
import { DatabaseOutage } from '../../src/outage/database-outage.js';
import { withOutageKeyCache } from '../../src/auth/outage-key-cache.js';
import type { Viewer } from '../../src/auth/index.js';

const logger = createLogger('silent');
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function code(err: unknown): string | undefined {
  return isAppError(err) ? err.code : undefined;
}

it('recognises pg and Prisma connection failures, and nothing else', () => {
  assert.ok(isDatabaseUnreachable(refused()));
  assert.ok(isDatabaseUnreachable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })));
  assert.ok(isDatabaseUnreachable(new Error('Connection terminated unexpectedly')));
  assert.ok(isDatabaseUnreachable(new Error('timeout exceeded when trying to connect')));
  assert.ok(isDatabaseUnreachable({ code: 'P1001', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }));
  assert.ok(isDatabaseUnreachable(new Error('wrapped', { cause: refused() })));
  assert.ok(!isDatabaseUnreachable(Object.assign(new Error('duplicate key'), { code: '23505' })));
  assert.ok(!isDatabaseUnreachable({ code: 'P2002' }));
  assert.ok(!isDatabaseUnreachable(new AppError('NOT_FOUND', 'no')));
  assert.ok(!isDatabaseUnreachable(undefined));
});

it('is degraded from the first connection error, allows answers within the grace only, and recovers by probing', async () => {
  let now = 1000;
  let up = false;
  const states: string[] = [];
  const outage = new DatabaseOutage({
    graceMs: 5000,
    now: () => now,
    probeIntervalMs: 5,
    probe: async () => {
      if (!up) throw refused();
    },
    logger,
    onChange: (s) => states.push(s.kind),
  });
  assert.equal(outage.degraded(), false);
  outage.reportUnreachable(refused());
  outage.reportUnreachable(refused());
  assert.equal(outage.degraded(), true);
  assert.deepEqual(states, ['unreachable'], 'the start is reported once');
  now += 4999;
  outage.assertWithinGrace('identify');
  now += 1;
  assert.throws(() => outage.assertWithinGrace('identify'), (err: unknown) => code(err) === 'SERVICE_UNAVAILABLE');
  up = true;
  for (let i = 0; i < 200 && outage.degraded(); i++) await sleep(5);
  assert.equal(outage.degraded(), false);
  assert.deepEqual(states, ['unreachable', 'reachable']);
  outage.assertWithinGrace('identify');
  outage.stop();
});

it('accepts a key the database confirmed recently only while it is unreachable, and never one it refused', async () => {
  const tenantViewer: Viewer = { kind: 'tenant', tenantId: 't1', keyId: 'k1', role: 'CLIENT' };
  let mode: 'ok' | 'down' | 'revoked' = 'ok';
  let innerCalls = 0;
  const inner = async (authorization: string | undefined): Promise<Viewer> => {
    innerCalls++;
    if (mode === 'down') throw refused();
    if (mode === 'revoked' || authorization !== 'Bearer good') throw new AppError('UNAUTHENTICATED', 'revoked');
    return tenantViewer;
  };
  const outage = new DatabaseOutage({ graceMs: 60_000, probe: async () => Promise.reject(refused()), probeIntervalMs: 60_000, logger });
  const authenticate = withOutageKeyCache(inner, outage, { ttlMs: 60_000 });

  assert.deepEqual(await authenticate('Bearer good'), tenantViewer);
  await assert.rejects(authenticate('Bearer other'), (err: unknown) => code(err) === 'UNAUTHENTICATED');
  mode = 'down';
  // The first failure finds the outage; from then on the database is not asked for this key.
  assert.deepEqual(await authenticate('Bearer good'), tenantViewer);
  const calls = innerCalls;
  assert.deepEqual(await authenticate('Bearer good'), tenantViewer);
  assert.equal(innerCalls, calls);
  // A key never confirmed cannot be accepted from memory.
  await assert.rejects(authenticate('Bearer other'), (err: unknown) => code(err) === 'SERVICE_UNAVAILABLE');
  outage.stop();

  // Back to normal operation, the database says revoked: it is forgotten, even for a later outage.
  const healthy = new DatabaseOutage({ graceMs: 60_000, probe: async () => Promise.reject(refused()), probeIntervalMs: 60_000, logger });
  const auth2 = withOutageKeyCache(inner, healthy, { ttlMs: 60_000 });
  mode = 'ok';
  await auth2('Bearer good');
  mode = 'revoked';
  await assert.rejects(auth2('Bearer good'), (err: unknown) => code(err) === 'UNAUTHENTICATED');
  mode = 'down';
  await assert.rejects(auth2('Bearer good'), (err: unknown) => code(err) === 'SERVICE_UNAVAILABLE');
  healthy.stop();
});

it('does not accept a remembered key older than its time to live', async () => {
  const inner = async (): Promise<Viewer> => ({ kind: 'tenant', tenantId: 't1', keyId: 'k1', role: 'CLIENT' });
  const outage = new DatabaseOutage({ graceMs: 60_000, probe: async () => Promise.reject(refused()), probeIntervalMs: 60_000, logger });
  const authenticate = withOutageKeyCache(inner, outage, { ttlMs: 1 });
  await authenticate('Bearer good');
  await sleep(10);
  outage.reportUnreachable(refused());
  await assert.rejects(authenticate('Bearer good'), (err: unknown) => code(err) === 'SERVICE_UNAVAILABLE');
  outage.stop();
});
