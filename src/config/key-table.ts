import { ConfigError } from './config-error.js';
import { hashKey, type KeysConfig } from './keys.js';

/** Whom a key belongs to (deps.ts's Caller). */
export interface KeyOwner {
  tenantId: string;
  apiKeyId: string;
}

/** What a reload changed: key ids added and removed. */
export interface KeyChanges {
  added: string[];
  removed: string[];
}

/**
 * The keys the auth hook accepts, swappable while the server runs. `reloadKeys(config)` is the one
 * call a reload makes for keys: today it swaps this in-memory table; with keys kept in the database
 * it re-imports the configured keys there instead.
 */
export interface KeyTable {
  readonly openMode: boolean;
  /** The owner of a bearer token; undefined for an unknown one. */
  ownerOf(token: string): KeyOwner | undefined;
  reloadKeys(config: KeysConfig): KeyChanges;
}

/** Tokens already verified skip the hash; only configured keys ever enter, so it stays small. */
const MAX_VERIFIED = 10_000;

function byHashOf(config: KeysConfig): Map<string, KeyOwner> {
  return new Map(config.keys.map((k) => [k.hash, { tenantId: k.tenant, apiKeyId: k.id }]));
}

/** Keys are compared by their sha256, so the lookup takes the same time for any key. */
export function createKeyTable(initial: KeysConfig): KeyTable {
  let byHash = byHashOf(initial);
  let ids = new Set(initial.keys.map((k) => k.id));
  let verified = new Map<string, KeyOwner>();
  return {
    openMode: initial.openMode,
    ownerOf(token) {
      const known = verified.get(token);
      if (known) return known;
      const owner = byHash.get(hashKey(token));
      if (owner && verified.size < MAX_VERIFIED) verified.set(token, owner);
      return owner;
    },
    reloadKeys(config) {
      // Open mode answers every caller as one tenant and is allowed on loopback only: never entered or left live.
      if (config.openMode !== initial.openMode)
        throw new ConfigError(`keys: ${config.openMode ? 'removing every key (open mode)' : 'adding keys to an open-mode server'} needs a restart`);
      const next = new Set(config.keys.map((k) => k.id));
      const changes = { added: [...next].filter((id) => !ids.has(id)), removed: [...ids].filter((id) => !next.has(id)) };
      byHash = byHashOf(config);
      ids = next;
      verified = new Map();
      return changes;
    },
  };
}
