import type { Logger } from '../logger.js';
import { readOrCreateSecretFile } from './secret-file.js';

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
  return readOrCreateSecretFile(options.dataDir, 'admin-token', 24, logger);
}
