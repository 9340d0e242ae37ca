import type { Logger } from 'pino';
import { isLoopback, type Config } from '../config.js';
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
