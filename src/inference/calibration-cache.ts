import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import ort from 'onnxruntime-node';
import { GRAPH_LEVELS, type CalibrationRow, type SessionTuning } from './calibration.js';

export interface CachedCalibration {
  tuning: SessionTuning;
  table: CalibrationRow[];
  measuredAt: string;
}

/**
 * A measurement is only valid for the same model bytes, CPU and runtime, and for the same set of
 * candidates (a pin or a new thread limit changes what "fastest" was chosen among).
 */
export function calibrationKey(model: Uint8Array, candidates: readonly SessionTuning[]): string {
  const hash = createHash('sha256').update(model).digest('hex').slice(0, 16);
  const cpu = cpus()[0]?.model.trim() ?? 'unknown-cpu';
  const tried = candidates.map((c) => `${c.graphLevel}/${c.intraOpThreads}`).join(',');
  return `${hash}|${cpu}|ort-${ort.env.versions.common}|${tried}`;
}

export async function readCachedCalibration(file: string, key: string): Promise<CachedCalibration | undefined> {
  const entry = (await readAll(file))[key];
  return isCached(entry) ? entry : undefined;
}

/** Read-modify-write through a temporary file, so a crash never leaves half a JSON file. */
export async function writeCachedCalibration(file: string, key: string, entry: CachedCalibration): Promise<void> {
  const all = await readAll(file);
  all[key] = entry;
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(all, null, 2));
  await rename(tmp, file);
}

async function readAll(file: string): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    // Missing or corrupt: measure again and overwrite.
    return {};
  }
}

function isCached(entry: unknown): entry is CachedCalibration {
  const e = entry as Partial<CachedCalibration> | undefined;
  const t = e?.tuning;
  return (
    !!t &&
    (GRAPH_LEVELS as readonly string[]).includes(t.graphLevel) &&
    Number.isInteger(t.intraOpThreads) &&
    t.intraOpThreads >= 1 &&
    Array.isArray(e.table)
  );
}
