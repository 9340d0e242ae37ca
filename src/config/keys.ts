import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import type { EnvVars } from './env.js';

const keySchema = z.union([
  z.string().min(1),
  z.object({ key: z.string().min(8), tenant: z.string().min(1).optional(), name: z.string().optional() }).strict(),
]);

/** YAML: the API keys clients authenticate with (SWITCHBOARD_API_KEYS adds more). */
export const keysSection = z.object({
  keys: z.array(keySchema).default([]),
});

export interface ApiKey {
  /** Stable, non-secret id of the key (shown as `api_key_id` in usage). */
  id: string;
  tenant: string;
  name: string;
  /** sha256 of the key, hex; the key itself is not kept. */
  hash: string;
  redacted: string;
}

export interface KeysConfig {
  keys: ApiKey[];
  /** True when no keys are configured: every request is the tenant `default`. */
  openMode: boolean;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function toApiKey(entry: z.infer<typeof keySchema>): ApiKey {
  const key = typeof entry === 'string' ? entry : entry.key;
  const hash = hashKey(key);
  const id = 'key_' + hash.slice(0, 16);
  return {
    id,
    hash,
    tenant: typeof entry === 'string' || !entry.tenant ? id : entry.tenant,
    name: (typeof entry === 'string' ? undefined : entry.name) ?? id,
    redacted: key.length > 10 ? `${key.slice(0, 3)}…${key.slice(-4)}` : '…',
  };
}

/** The file's keys, then the environment's; a key given twice is refused. */
export function keysConfig(opts: { file: z.infer<typeof keysSection>; vars: EnvVars }): KeysConfig {
  const fromEnv = (opts.vars.SWITCHBOARD_API_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const keys = [...opts.file.keys, ...fromEnv].map(toApiKey);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.hash)) throw new ConfigError(`keys: the key ${k.redacted} is configured twice`);
    seen.add(k.hash);
  }
  return { keys, openMode: keys.length === 0 };
}
