/**
 * The only place that reads the environment. Parsed once at start-up; every bad key is
 * reported together so an operator fixes them in one go.
 */
import { CONFIG_KEYS, type Config, type ConfigKey } from './config-keys.js';

export type { Config } from './config-keys.js';
export { CONFIG_KEYS } from './config-keys.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(CONFIG_KEYS) as [string, ConfigKey<unknown>][]) {
    try {
      out[name] = spec.parse(env[spec.env]);
    } catch (err) {
      problems.push(`${spec.env}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

/**
 * Every key's default, for code that needs one without a loaded config (library defaults, tools,
 * tests): config-keys.ts is the one place a default is written.
 */
export const CONFIG_DEFAULTS: Config = loadConfig({});

/** The README's configuration table, generated from the same key list the parser uses. */
export function configDocsMarkdown(): string {
  const rows = Object.values(CONFIG_KEYS).map(
    (k: ConfigKey<unknown>) => `| \`${k.env}\` | ${k.defaultText === undefined ? '—' : `\`${k.defaultText}\``} | ${k.doc} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
