import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { badInput } from '../../errors.js';

/** What the server accepts as an image, and what the import sends as a video. */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp']);
const VIDEO_EXTENSIONS = new Set(['.mp4', '.webm', '.mov']);

export interface PersonFolder {
  /** The class folder's name: the person's externalId and display name. */
  name: string;
  images: string[];
  videos: string[];
  /** Files of neither kind, reported and left alone. */
  skipped: string[];
}

export interface ImportPlan {
  /** `paper`: `<person>/train/*` (the paper's load_known_faces; `val/` is left for evaluation). `flat`: `<person>/*`. */
  layout: 'paper' | 'flat';
  people: PersonFolder[];
}

const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' }).compare;

async function entries(dir: string) {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  } catch {
    throw badInput('data', `Cannot read folder ${dir}`);
  }
}

/**
 * One person per class folder. The layout is decided for the whole folder: if any class has a
 * `train` subfolder every class must, so a stray folder cannot silently mix the two layouts.
 */
export async function scanFolder(dataDir: string): Promise<ImportPlan> {
  const classes = (await entries(dataDir)).filter((e) => e.isDirectory()).map((e) => e.name).sort(natural);
  if (classes.length === 0) throw badInput('data', `${dataDir} has no class folders (one folder per person expected)`);
  const hasTrain = await Promise.all(classes.map(async (c) => (await entries(path.join(dataDir, c))).some((e) => e.isDirectory() && e.name === 'train')));
  const paper = hasTrain.some(Boolean);
  if (paper && !hasTrain.every(Boolean)) {
    const missing = classes.filter((_, i) => !hasTrain[i]);
    throw badInput('data', `Mixed layouts: some class folders have train/, these do not: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  }
  const people: PersonFolder[] = [];
  for (const name of classes) {
    const dir = paper ? path.join(dataDir, name, 'train') : path.join(dataDir, name);
    const files = (await entries(dir)).filter((e) => e.isFile()).map((e) => e.name).sort(natural);
    const kind = (f: string) => path.extname(f).toLowerCase();
    people.push({
      name,
      images: files.filter((f) => IMAGE_EXTENSIONS.has(kind(f))).map((f) => path.join(dir, f)),
      videos: files.filter((f) => VIDEO_EXTENSIONS.has(kind(f))).map((f) => path.join(dir, f)),
      skipped: files.filter((f) => !IMAGE_EXTENSIONS.has(kind(f)) && !VIDEO_EXTENSIONS.has(kind(f))).map((f) => path.join(dir, f)),
    });
  }
  return { layout: paper ? 'paper' : 'flat', people };
}
