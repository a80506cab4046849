import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { badInput } from '../errors.js';

/** One image of the evaluation set. `label` is null for a person who is not enrolled (answer: Unknown). */
export interface Sample {
  path: string;
  label: string | null;
}

export interface Dataset {
  /** Enrolled class names in natural order (s2 before s10). */
  classes: string[];
  enrolled: Sample[];
  /** Probes of enrolled classes followed by the unknown probes. */
  probes: Sample[];
  layout: 'paper' | 'flat';
}

export interface DatasetOptions {
  /** Flat layout only: the first N files of each class (natural name order) are enrolled, the rest are probes. */
  enroll?: number;
  /** Folder of people who are not enrolled, flat or nested. */
  unknownDir?: string;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif']);

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
export const naturalCompare = (a: string, b: string): number => natural.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

const isImage = (name: string) => !name.startsWith('.') && IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

async function listDir(dir: string): Promise<{ dirs: string[]; images: string[] }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    throw badInput('data', `Cannot read folder ${dir}`);
  }
  const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  const images = entries.filter((e) => e.isFile() && isImage(e.name)).map((e) => e.name);
  return { dirs: dirs.sort(naturalCompare), images: images.sort(naturalCompare) };
}

/** Every image below `dir`, in natural path order. */
export async function listImagesRecursive(dir: string): Promise<string[]> {
  const { dirs, images } = await listDir(dir);
  const nested = await Promise.all(dirs.map((d) => listImagesRecursive(join(dir, d))));
  return [...images.map((f) => join(dir, f)), ...nested.flat()].sort(naturalCompare);
}

/**
 * Reads the paper's layout (`class/train/*`, `class/val/*`) or a flat one (`class/*` with `enroll`).
 * The layout is decided per data set, not per class, so a stray folder cannot silently mix the two.
 */
export async function loadDataset(dataDir: string, options: DatasetOptions = {}): Promise<Dataset> {
  const { dirs: classDirs } = await listDir(dataDir);
  if (classDirs.length === 0) throw badInput('data', `${dataDir} has no class folders`);

  const listings = await Promise.all(classDirs.map(async (name) => ({ name, ...(await listDir(join(dataDir, name))) })));
  const paper = listings.some((l) => l.dirs.includes('train'));
  const enrolled: Sample[] = [];
  const probes: Sample[] = [];

  if (paper) {
    for (const { name, dirs } of listings) {
      if (!dirs.includes('train')) throw badInput('data', `Class ${name} has no train/ folder (paper layout)`);
      for (const f of (await listDir(join(dataDir, name, 'train'))).images) enrolled.push({ path: join(dataDir, name, 'train', f), label: name });
      if (dirs.includes('val')) {
        for (const f of (await listDir(join(dataDir, name, 'val'))).images) probes.push({ path: join(dataDir, name, 'val', f), label: name });
      }
    }
  } else {
    const n = options.enroll;
    if (n === undefined) throw badInput('enroll', `${dataDir} is a flat layout (class/*): pass --enroll N`);
    if (!Number.isInteger(n) || n < 1) throw badInput('enroll', '--enroll must be an integer >= 1');
    for (const { name, images } of listings) {
      images.forEach((f, i) => (i < n ? enrolled : probes).push({ path: join(dataDir, name, f), label: name }));
    }
  }

  const classes = [...new Set(enrolled.map((s) => s.label as string))].sort(naturalCompare);
  if (classes.length === 0) throw badInput('data', `${dataDir} has no images to enroll`);
  // A class with probes but nothing enrolled cannot be named; its probes are strangers to the index.
  for (const p of probes) if (p.label !== null && !classes.includes(p.label)) p.label = null;

  if (options.unknownDir !== undefined) {
    const unknown = await listImagesRecursive(options.unknownDir);
    if (unknown.length === 0) throw badInput('unknown', `${options.unknownDir} has no images`);
    probes.push(...unknown.map((path) => ({ path, label: null })));
  }
  return { classes, enrolled, probes, layout: paper ? 'paper' : 'flat' };
}
