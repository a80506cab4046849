import { existsSync } from 'node:fs';
import { FACE_ARCFACE_ID } from './face-arcface.js';
import type { ModelRegistry } from './registry.js';

/**
 * The embedding model a new tenant starts with: the configured one when this server can load it,
 * otherwise face-arcface-512. The int8 model is generated on the machine (npm run models:quantize)
 * and may be absent where the fp32 weights are present; a tenant must never start on a model whose
 * file is missing, or its first enrollment would fail.
 */
export function newTenantModel(registry: Pick<ModelRegistry, 'describe'>, wanted: string): { id: string; unavailable?: string } {
  const { file } = registry.describe(wanted);
  if (file !== undefined && existsSync(file)) return { id: wanted };
  return { id: FACE_ARCFACE_ID, unavailable: file ?? '(no file configured)' };
}
