// Read by the Prisma CLI only (`npm run db:generate`). The server never reads this file: it gets
// its connection from src/config/ (DATABASE_URL).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
