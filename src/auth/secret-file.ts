import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';

/**
 * A secret kept in `<dataDir>/<name>` (mode 600): read when it exists, generated on first start
 * otherwise, so the embedded database works out of the box. Its value is never logged.
 */
export async function readOrCreateSecretFile(dataDir: string, name: string, bytes: number, logger: Logger): Promise<string> {
  const file = path.resolve(dataDir, name);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 16) {
    logger.info({ file }, `${name} read from file`);
    return existing.trim();
  }
  const secret = randomBytes(bytes).toString('base64url');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  logger.info({ file }, `generated ${name}`);
  return secret;
}
