import type { CropSpec } from './model.js';
import type { CustomModelSpec } from './registry.js';

/**
 * Validates the deployer's custom model list (VISAGE_CUSTOM_MODELS, already JSON-parsed) into
 * CustomModelSpec[]; throws an Error listing every problem, meant for start-up config errors.
 */
export function parseCustomModelSpecs(value: unknown): CustomModelSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error('custom models must be a JSON array of objects');
  const problems: string[] = [];
  const specs = value.map((raw, i) => parseOne(raw, `custom model #${i + 1}`, problems));
  if (problems.length > 0) throw new Error(problems.join('; '));
  return specs.filter((s): s is CustomModelSpec => s !== undefined);
}

function parseOne(raw: unknown, where: string, problems: string[]): CustomModelSpec | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${where}: must be an object`);
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const fail = (msg: string) => problems.push(`${where}: ${msg}`);
  const before = problems.length;
  if (typeof r.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(r.id)) fail('"id" must be 1–64 letters, digits, ".", "_" or "-"');
  if (typeof r.file !== 'string' || r.file === '') fail('"file" must be a path to an .onnx file');
  const int = (name: string, min: number, max: number) => {
    const v = r[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`"${name}" must be an integer from ${min} to ${max}`);
  };
  int('inputSize', 8, 1024);
  int('dim', 1, 8192);
  const triple = (name: string, positive: boolean) => {
    const v = r[name];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))) {
      fail(`"${name}" must be three ${positive ? 'positive ' : ''}numbers (RGB, 0–255 pixel units)`);
    }
  };
  triple('mean', false);
  triple('std', true);
  const crop = parseCrop(r.crop, fail);
  if (r.flip !== undefined && typeof r.flip !== 'boolean') fail('"flip" must be true or false');
  for (const name of ['inputName', 'outputName']) if (r[name] !== undefined && typeof r[name] !== 'string') fail(`"${name}" must be a string`);
  if (problems.length > before) return undefined;
  return {
    id: r.id as string,
    file: r.file as string,
    inputSize: r.inputSize as number,
    dim: r.dim as number,
    ...(r.mean ? { mean: r.mean as [number, number, number] } : {}),
    ...(r.std ? { std: r.std as [number, number, number] } : {}),
    ...(crop ? { crop } : {}),
    ...(r.flip !== undefined ? { flip: r.flip as boolean } : {}),
    ...(r.inputName ? { inputName: r.inputName as string } : {}),
    ...(r.outputName ? { outputName: r.outputName as string } : {}),
  };
}

function parseCrop(raw: unknown, fail: (msg: string) => void): CropSpec | undefined {
  if (raw === undefined) return undefined;
  const r = raw as Record<string, unknown> | null;
  if (r?.kind === 'aligned') return { kind: 'aligned' };
  if (r?.kind === 'box' && typeof r.margin === 'number' && r.margin >= 0 && r.margin <= 2) return { kind: 'box', margin: r.margin };
  fail('"crop" must be {"kind":"aligned"} or {"kind":"box","margin":0..2}');
  return undefined;
}
