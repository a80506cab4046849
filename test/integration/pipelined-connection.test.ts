import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import { createPipelinedConnection } from '../../src/db/pipelined-connection.js';
import { createScratchDb, type ScratchDb } from '../support/scratch-db.js';

let db: ScratchDb;
before(async () => {
  db = await createScratchDb();
});
after(async () => {
  await db.drop();
});

const APP = 'visage-pipelined-test';
const backends = async () => (await db.pool.query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [APP])).rows.map((r) => r.pid as number);

test('statements issued together are answered each with its own result, on one connection', async () => {
  const conn = createPipelinedConnection({ connectionString: db.url, application_name: APP });
  try {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => conn.query<{ n: number }>({ name: 'plus-one', text: 'SELECT $1::int + 1 AS n', values: [i] })));
    assert.deepEqual(answers.map((a) => a.rows[0]!.n), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal((await backends()).length, 1);
  } finally {
    await conn.end();
  }
});

test('a failing statement fails alone; the ones beside it are answered', async () => {
  const conn = createPipelinedConnection({ connectionString: db.url, application_name: APP });
  try {
    const [ok, bad, ok2] = await Promise.allSettled([conn.query({ text: 'SELECT 1 AS n' }), conn.query({ text: 'SELECT 1/0 AS n' }), conn.query({ text: 'SELECT 2 AS n' })]);
    assert.equal(ok.status === 'fulfilled' && ok.value.rows[0].n, 1);
    assert.equal(bad.status, 'rejected');
    assert.match(String((bad as PromiseRejectedResult).reason), /division by zero/);
    assert.equal(ok2.status === 'fulfilled' && ok2.value.rows[0].n, 2);
  } finally {
    await conn.end();
  }
});

test('a connection the server killed is replaced on the next statement', async () => {
  const conn = createPipelinedConnection({ connectionString: db.url, application_name: APP });
  try {
    await conn.query({ text: 'SELECT 1' });
    const [pid] = await backends();
    await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    // The statement that meets the dead socket fails (the rate limiter's insurance answers it)...
    await conn.query({ text: 'SELECT 1' }).catch(() => undefined);
    // ...and the next one runs on a new connection.
    const { rows } = await conn.query<{ pid: number }>({ text: 'SELECT pg_backend_pid() AS pid' });
    assert.notEqual(rows[0]!.pid, pid);
  } finally {
    await conn.end();
  }
  await assert.rejects(conn.query({ text: 'SELECT 1' }), /closed/);
});

test('rate-limiter-flexible counts on it exactly as on a pool', async () => {
  const conn = createPipelinedConnection({ connectionString: db.url, application_name: APP });
  try {
    const limiter = new RateLimiterPostgres({ storeClient: conn, storeType: 'client', tableName: 'RateLimit', tableCreated: true, keyPrefix: 'pipelined-test', points: 5, duration: 60 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => limiter.consume('k', 1)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
    const { rows } = await db.pool.query(`SELECT points FROM "RateLimit" WHERE key = 'pipelined-test:k'`);
    assert.equal(rows[0].points, 8);
  } finally {
    await conn.end();
  }
});
