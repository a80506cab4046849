// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL (or the embedded database).
// Idempotent; the server also runs it at start-up. Used by the Helm chart's migration Job.
import { loadConfig } from '../config/index.js';
import { migrate, openDatabase } from '../db/index.js';

const config = loadConfig();
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolMax: 1 });
try {
  const { applied, alreadyApplied } = await migrate(db.pool);
  console.log(JSON.stringify({ database: db.mode, applied, alreadyApplied }));
} finally {
  await db.close();
}
