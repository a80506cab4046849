/** Small, strict parsers for environment values. Each throws a message that names what is wrong. */

export function parseString(raw: string | undefined, fallback: string): string {
  return raw === undefined || raw === '' ? fallback : raw;
}

/** An optional secret: unset or empty is undefined; a short one is refused. */
export function parseSecret(raw: string | undefined, minLength: number): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < minLength) throw new Error(`must be at least ${minLength} characters (e.g. openssl rand -base64 32)`);
  return raw;
}

export function parseIntIn(raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new Error(`"${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) throw new Error(`${value} is outside ${min}..${max}`);
  return value;
}

export function parseFloatIn(raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`"${raw}" is not a number`);
  if (value < min || value > max) throw new Error(`${value} is outside ${min}..${max}`);
  return value;
}

export function parseBool(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`"${raw}" is not a boolean (true/false)`);
}

export function parseList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** "15mb", "512kb" or a plain byte count. */
export function parseBytes(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  if (!match) throw new Error(`"${raw}" is not a size (like 15mb or 1048576)`);
  const unit = UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1;
  return Math.floor(Number(match[1]) * unit);
}

/** One of `allowed` (unset or empty is `fallback`). */
export function parseOneOf<T extends string>(raw: string | undefined, allowed: readonly T[], fallback: T): T {
  const value = parseString(raw, fallback);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`must be ${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}, not "${value}"`);
  }
  return value as T;
}
