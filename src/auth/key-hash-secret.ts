import type { Logger } from '../logger.js';
import { readOrCreateSecretFile } from './secret-file.js';

/**
 * The server secret that keys the HMAC of API key secrets. Every replica must use the same one,
 * and it must not live in the database it protects: with PostgreSQL it is configuration (the Helm
 * chart generates it into its Secret); with the embedded database it is generated once into
 * `<dataDir>/key-hash-secret`. Changing it invalidates every API key.
 */
export async function resolveKeyHashSecret(
  options: { configured: string | undefined; embedded: boolean; dataDir: string },
  logger: Logger,
): Promise<string> {
  if (options.configured !== undefined) return options.configured;
  if (!options.embedded) {
    throw new Error(
      'VISAGE_KEY_HASH_SECRET is not set: with DATABASE_URL every replica needs the same secret (32+ characters, e.g. `openssl rand -base64 32`) to verify API keys.',
    );
  }
  return readOrCreateSecretFile(options.dataDir, 'key-hash-secret', 32, logger);
}
