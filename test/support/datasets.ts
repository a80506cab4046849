import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared development photos: `../shared/datasets` beside the repository (CI lays it there too). */
export const DATASETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets');

export function datasetsAvailable(): boolean {
  return existsSync(path.join(DATASETS, 'faces-dev'));
}

export function listImages(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** `faces-dev` people with at least `min` photos, each with its photos in name order. */
export function facesDevPeople(min: number): { name: string; files: string[] }[] {
  const root = path.join(DATASETS, 'faces-dev');
  return readdirSync(root)
    .sort()
    .map((name) => ({ name, files: listImages(path.join(root, name)) }))
    .filter((p) => p.files.length >= min);
}

export function imageInput(file: string): { data: string; filename: string } {
  return { data: readFileSync(file).toString('base64'), filename: path.basename(file) };
}
