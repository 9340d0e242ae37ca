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
  /** An organization admin key (SWITCHBOARD_ADMIN_KEY adds another): manages projects and keys over /v1/organization. */
  admin_key: z.string().min(8).optional(),
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

/** An admin key of the configuration, imported at start into the database's admin keys. */
export interface AdminKey {
  id: string;
  name: string;
  hash: string;
  redacted: string;
}

export interface KeysConfig {
  keys: ApiKey[];
  adminKeys: AdminKey[];
  /**
   * True when no keys and no admin key are configured. The server is then in open mode (every request is the
   * tenant `default`) as long as its database holds no key either.
   */
  openMode: boolean;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** How a key is shown: its first characters up to the last dash of a `sk-…-` prefix (at most 12), then its last 4. */
export function redactKey(key: string): string {
  if (key.length <= 10) return '…';
  const prefix = /^sk-(?:[a-z]+-)?/.exec(key)?.[0] ?? key.slice(0, 3);
  return `${prefix.slice(0, 12)}…${key.slice(-4)}`;
}

/** The stable id of a configured key: `key_` and the first 16 hex digits of its sha256. */
export const configuredKeyId = (hash: string): string => 'key_' + hash.slice(0, 16);

function toAdminKey(key: string, name: string): AdminKey {
  const hash = hashKey(key);
  return { id: configuredKeyId(hash), name, hash, redacted: redactKey(key) };
}

function toApiKey(entry: z.infer<typeof keySchema>): ApiKey {
  const key = typeof entry === 'string' ? entry : entry.key;
  const hash = hashKey(key);
  const id = configuredKeyId(hash);
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
  const adminKeys = [
    ...(opts.file.admin_key ? [toAdminKey(opts.file.admin_key, 'admin_key (YAML)')] : []),
    ...(opts.vars.SWITCHBOARD_ADMIN_KEY ? [toAdminKey(opts.vars.SWITCHBOARD_ADMIN_KEY, 'SWITCHBOARD_ADMIN_KEY')] : []),
  ];
  for (const k of adminKeys) {
    if (seen.has(k.hash)) throw new ConfigError(`keys: the key ${k.redacted} is configured twice`);
    seen.add(k.hash);
  }
  return { keys, adminKeys, openMode: keys.length === 0 && adminKeys.length === 0 };
}
