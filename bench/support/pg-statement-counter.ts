// Loaded into the server process by bench:identify (`--import`), never by the server itself:
// counts the statements every pg client of the process sends (Prisma's adapter, the pools, the
// pipelined counter connection, LISTEN connections), and on SIGUSR2 writes the count to
// BENCH_PG_STATEMENTS_FILE. pg_stat_database's transaction counts could not tell an
// identify's statements from the server's background work on the same database (they moved by
// ±20 per call between runs); this counts exactly, and the background is measured the same way.
import { writeFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.BENCH_PG_STATEMENTS_FILE;
if (file) {
  let statements = 0;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  (pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return query.apply(this, args);
  };
  process.on('SIGUSR2', () => writeFileSync(file, String(statements)));
}
