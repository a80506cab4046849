import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every JPEG, PNG and WebP file under `dir`, recursively, in name order. */
export function listImages(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listImages(path) : /\.(jpe?g|png|webp)$/i.test(name) ? [path] : [];
    });
}
