import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelRegistry } from '../embedding/index.js';
import { loadSession, type SessionOptions } from '../inference/index.js';
import { VISION_MODEL_FILES } from './vision.js';

export type ModelStatus =
  | { state: 'ready'; id: string; role: string; file: string; required: boolean }
  | { state: 'missing'; id: string; role: string; file: string; required: boolean }
  | { state: 'broken'; id: string; role: string; file: string; required: boolean; error: string }
  | { state: 'not-configured'; id: string; role: string; required: boolean; hint: string };

/**
 * Which models are present and loadable, for `npm run models:check` and readiness checks.
 * `required` marks what the default pipeline cannot run without; a configured model that fails
 * to load is reported as broken with the runtime's reason.
 */
export async function checkModels(registry: ModelRegistry, modelsDir: string, session: SessionOptions = {}): Promise<ModelStatus[]> {
  const vision = [
    { id: 'detector', role: 'face detection (UltraFace RFB-320)', file: join(modelsDir, VISION_MODEL_FILES.detector), required: true },
    { id: 'landmarks', role: '68-point landmarks', file: join(modelsDir, VISION_MODEL_FILES.landmarks), required: true },
    { id: 'pose', role: 'head pose (optional quality signal)', file: join(modelsDir, VISION_MODEL_FILES.pose), required: false },
  ];
  const statuses: ModelStatus[] = [];
  for (const v of vision) statuses.push(await probe(v, () => loadSession(v.file, session)));
  for (const id of registry.ids()) {
    const { file } = registry.describe(id);
    const required = id === registry.defaultModelId;
    const role = `embedding${required ? ' (default)' : ''}`;
    if (!file) {
      statuses.push({ state: 'not-configured', id, role, required, hint: 'set VISAGE_CLIP_MODEL to a CLIP ViT-B/32 image encoder .onnx' });
      continue;
    }
    statuses.push(await probe({ id, role, file, required }, () => registry.get(id)));
  }
  return statuses;
}

async function probe(
  entry: { id: string; role: string; file: string; required: boolean },
  load: () => Promise<unknown>,
): Promise<ModelStatus> {
  try {
    await access(entry.file);
  } catch {
    return { state: 'missing', ...entry };
  }
  try {
    await load();
    return { state: 'ready', ...entry };
  } catch (err) {
    return { state: 'broken', ...entry, error: (err as Error).message };
  }
}
