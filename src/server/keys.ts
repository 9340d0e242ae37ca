import type { Logger } from 'pino';
import { ConfigError, isLoopback, type Config } from '../config.js';
import type { Clock } from '../deps.js';
import { KeyResolver } from '../services/key-resolver.js';
import { importConfiguredKeys } from '../services/keys-import.service.js';
import type { Store } from '../store/open-db.js';
import { anyKeyStored } from '../store/repos/key-lookup.repo.js';

/** A start that cannot go on for a reason of the configuration: main prints its message as one line. */
class OpenModeError extends Error {
  readonly code = 'OPEN_MODE_BEYOND_LOOPBACK';
}

/**
 * The keys at start: the configuration's imported into the database, open mode refused beyond loopback (only when
 * the database holds no key either: keys made with `switchboard keys create` count), then the key cache.
 */
export async function startKeys(
  base: { config: Readonly<Config>; store: Store; clock: Clock; log: Logger },
  opts: { ttlMs?: number } = {},
): Promise<KeyResolver> {
  const { config, store, clock, log } = base;
  await importConfiguredKeys(store.db, { keys: config.keys, adminKeys: config.adminKeys, openMode: config.openMode, nowMs: clock.now() });
  const open = config.openMode && !(await anyKeyStored(store.db));
  if (open && !isLoopback(config.host))
    throw new OpenModeError(
      `HOST: refusing to listen on ${config.host} with no API keys (open mode). Set SWITCHBOARD_API_KEYS, ` +
        'create a key with `switchboard keys create`, or listen on 127.0.0.1.',
    );
  if (open) log.warn('no API keys configured: open mode, every caller is the tenant "default" (loopback only)');
  return new KeyResolver({ db: store.db, clock, log, configuredKeys: !config.openMode, ...(opts.ttlMs !== undefined && { ttlMs: opts.ttlMs }) });
}

/** What a reload changed: configured key ids added and removed. */
export interface KeyChanges {
  added: string[];
  removed: string[];
}

/** The one call a SIGHUP reload makes for keys (server/reload.ts). */
export interface KeyReloader {
  reloadKeys(config: Readonly<Config>): Promise<KeyChanges>;
}

/**
 * Reloads the configuration's keys: imported as at start (new ones added, configured ones no longer there revoked;
 * keys made through the API or the CLI untouched), then the key cache forgets what it knew. Entering or leaving open
 * mode needs a restart (open mode is for loopback only, checked at start).
 */
export function keyReloader(base: { config: Readonly<Config>; store: Store; clock: Clock }, resolver: KeyResolver): KeyReloader {
  let ids = new Set(base.config.keys.map((k) => k.id));
  return {
    async reloadKeys(config) {
      if (config.openMode !== base.config.openMode)
        throw new ConfigError(`keys: ${config.openMode ? 'removing every key (open mode)' : 'adding keys to an open-mode server'} needs a restart`);
      const next = new Set(config.keys.map((k) => k.id));
      const changes = { added: [...next].filter((id) => !ids.has(id)), removed: [...ids].filter((id) => !next.has(id)) };
      await importConfiguredKeys(base.store.db, { keys: config.keys, adminKeys: config.adminKeys, openMode: config.openMode, nowMs: base.clock.now() });
      resolver.forget();
      ids = next;
      return changes;
    },
  };
}
