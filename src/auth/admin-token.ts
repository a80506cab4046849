import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';

/**
 * The platform admin token: the configured one, or, with the embedded database and none
 * configured, one generated on first start into `<dataDir>/admin-token` (mode 600) so that
 * `npm start` works out of the box. Its value is never logged.
 */
export async function resolveAdminToken(
  options: { configured: string | undefined; embedded: boolean; dataDir: string },
  logger: Logger,
): Promise<string | undefined> {
  if (options.configured !== undefined) return options.configured;
  if (!options.embedded) {
    logger.warn('VISAGE_ADMIN_TOKEN is not set: createTenant and tenants are disabled');
    return undefined;
  }
  const file = path.resolve(options.dataDir, 'admin-token');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 16) {
    logger.info({ file }, 'platform admin token read from file');
    return existing.trim();
  }
  const token = randomBytes(24).toString('base64url');
  await mkdir(options.dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  logger.info({ file }, 'generated a platform admin token (VISAGE_ADMIN_TOKEN unset)');
  return token;
}
