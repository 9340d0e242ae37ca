import type { Logger } from 'pino';
import { hashKey } from '../config.js';
import type { Caller, Clock, KeyCache } from '../deps.js';
import type { Db } from '../store/database.js';
import { touchAdminApiKeys } from '../store/repos/admin-api-keys.repo.js';
import { touchApiKeys } from '../store/repos/api-keys.repo.js';
import { anyKeyStored, findKeyByHash, type KeyMatch } from '../store/repos/key-lookup.repo.js';

export interface KeyResolverOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  /** The longest a cached answer lives (default 1000 ms): a key deleted anywhere is refused here within it. */
  ttlMs?: number;
  /** A key's last_used_at is written at most this often per instance (default 60 s), never awaited by a request. */
  touchEveryMs?: number;
  /** Keys are configured (env, YAML): open mode is then never in question. */
  configuredKeys: boolean;
  /** Cached answers kept at most (default 10 000); unknown keys are cached too, so a flood of them costs one lookup each per TTL. */
  maxEntries?: number;
}

interface Entry {
  caller: Caller | null;
  /** Unix ms after which the entry is not used. */
  until: number;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function callerOf(match: KeyMatch | undefined): Caller | null {
  if (!match) return null;
  return Object.freeze(
    match.kind === 'admin' ? { tenantId: '', apiKeyId: match.id, admin: true } : { tenantId: match.projectId, apiKeyId: match.id },
  );
}

/**
 * Authorization header → caller, from the database's keys through a small in-process cache whose answers live at
 * most `ttlMs`. A hit costs a Map lookup: no hashing and no database call. A miss hashes the key once and looks it
 * up (concurrent misses of one header share the lookup). Open mode (no key configured, none stored) is cached alike.
 */
export class KeyResolver implements KeyCache {
  readonly #o: Required<Omit<KeyResolverOptions, 'log'>> & { log: Logger };
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<Caller | null>>();
  /** Key id → unix ms of its last last_used_at write. */
  readonly #touched = new Map<string, number>();
  readonly #writes = new Set<Promise<void>>();
  #open: { value: boolean; until: number } | undefined;

  constructor(opts: KeyResolverOptions) {
    this.#o = { ttlMs: 1000, touchEveryMs: 60_000, maxEntries: 10_000, ...opts };
  }

  /** Drops every cached answer (the configured keys were re-imported): the next request of each key looks it up. */
  forget(): void {
    this.#entries.clear();
    this.#open = undefined;
  }

  /** The header's caller, or null for no usable key; synchronous while cached. */
  resolve(header: string): Caller | null | Promise<Caller | null> {
    const now = this.#o.clock.now();
    const hit = this.#entries.get(header);
    if (hit && hit.until > now) {
      if (hit.caller) this.#touch(hit.caller, now);
      return hit.caller;
    }
    const pending = this.#pending.get(header);
    if (pending) return pending;
    const lookup = this.#lookup(header, now).finally(() => this.#pending.delete(header));
    this.#pending.set(header, lookup);
    return lookup;
  }

  /** True in open mode: no key configured and none in the database (checked at most once per TTL). */
  openMode(): boolean | Promise<boolean> {
    if (this.#o.configuredKeys) return false;
    const now = this.#o.clock.now();
    if (this.#open && this.#open.until > now) return this.#open.value;
    return anyKeyStored(this.#o.db).then((any) => {
      this.#open = { value: !any, until: now + this.#o.ttlMs };
      return !any;
    });
  }

  /** Waits for the last_used_at writes under way. */
  async close(): Promise<void> {
    await Promise.all([...this.#writes]);
  }

  async #lookup(header: string, now: number): Promise<Caller | null> {
    const m = BEARER.exec(header);
    const match = m ? await findKeyByHash(this.#o.db, hashKey(m[1]!), Math.floor(now / 1000)) : undefined;
    const caller = callerOf(match);
    const until = Math.min(now + this.#o.ttlMs, match?.expiresAt != null ? match.expiresAt * 1000 : Infinity);
    this.#remember(header, { caller, until });
    if (caller) this.#touch(caller, now);
    return caller;
  }

  #remember(header: string, entry: Entry): void {
    if (this.#entries.size >= this.#o.maxEntries) {
      const now = this.#o.clock.now();
      for (const [k, e] of this.#entries) if (e.until <= now) this.#entries.delete(k);
      if (this.#entries.size >= this.#o.maxEntries) this.#entries.clear();
    }
    this.#entries.set(header, entry);
  }

  /** Writes last_used_at off the request path, at most once per `touchEveryMs` per key. */
  #touch(caller: Caller, now: number): void {
    const last = this.#touched.get(caller.apiKeyId);
    if (last !== undefined && now - last < this.#o.touchEveryMs) return;
    this.#touched.set(caller.apiKeyId, now);
    const at = Math.floor(now / 1000);
    const ids = [caller.apiKeyId];
    const write = (caller.admin ? touchAdminApiKeys(this.#o.db, ids, at) : touchApiKeys(this.#o.db, ids, at))
      .catch((err: unknown) => this.#o.log.warn({ err, apiKeyId: caller.apiKeyId }, 'could not record when a key was last used'))
      .finally(() => this.#writes.delete(write));
    this.#writes.add(write);
  }
}
