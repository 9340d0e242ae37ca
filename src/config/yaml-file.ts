import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { codeInterpreterSection } from './code-interpreter.js';
import { ConfigError, formatZodError } from './config-error.js';
import { embeddingsSection } from './embeddings.js';
import { keysSection } from './keys.js';
import { localModelsSection } from './local-models.js';
import { meteringSection } from './metering.js';
import { providersSection } from './providers.js';
import { responsesSection } from './responses.js';
import { runsSection } from './runs.js';
import { serverSection } from './server.js';
import { telemetrySection } from './telemetry.js';

/** The SWITCHBOARD_CONFIG file: every section's fields, and no others. */
const fileSchema = z
  .object({
    ...serverSection.shape,
    ...providersSection.shape,
    ...localModelsSection.shape,
    ...meteringSection.shape,
    ...keysSection.shape,
    ...runsSection.shape,
    ...responsesSection.shape,
    ...embeddingsSection.shape,
    ...codeInterpreterSection.shape,
    ...telemetrySection.shape,
  })
  .strict();

export type FileConfig = z.infer<typeof fileSchema>;

/** A `${VAR}` in the YAML whose variable is not set: it reads as an empty string. */
export interface UnsetVariable {
  variable: string;
  /** Dotted path of the YAML field, e.g. `providers.openai.api_key`. */
  field: string;
}

/** `${VAR}` in YAML strings is replaced by the environment variable's value; unset ones are collected. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, unset: UnsetVariable[], path: string[] = []): unknown {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Z0-9_]+)\}/gi, (_, n: string) => {
      if (env[n] === undefined || env[n] === '') unset.push({ variable: n, field: path.join('.') || '(root)' });
      return env[n] ?? '';
    });
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, unset, [...path, String(i)]));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, unset, [...path, k])]));
  return value;
}

/** The file at `path` (none: every default), `${VAR}`s expanded from `env`; unset ones are added to `unset`. */
export function readYamlFile(opts: { path: string | undefined; env: NodeJS.ProcessEnv; unset: UnsetVariable[] }): FileConfig {
  const { path, env, unset } = opts;
  if (path === undefined) return fileSchema.parse({});
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`SWITCHBOARD_CONFIG (${path}): ${(e as Error).message}`);
  }
  const parsed = fileSchema.safeParse(expandEnv(raw ?? {}, env, unset));
  if (!parsed.success) throw new ConfigError(formatZodError(parsed.error, path));
  return parsed.data;
}
