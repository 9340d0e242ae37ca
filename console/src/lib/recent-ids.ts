/**
 * Ids of threads and responses this browser opened or created. The API has no list of threads or
 * responses, so the console keeps its own in localStorage, one list per kind and per key (keyed by
 * a hash of the key, never the key itself).
 */

/** The part of the Web Storage API this module needs (localStorage, or a Map-backed fake in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export type RecentKind = 'threads' | 'responses' | 'conversations';

export interface RecentEntry {
  id: string;
  /** When it was last opened, unix milliseconds. */
  at: number;
}

export const RECENT_MAX = 50;

/** The first 16 hex digits of SHA-256(key): enough to tell keys apart, useless to recover one. */
export async function keyHash(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return [...new Uint8Array(digest)]
    .slice(0, 8)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

export const recentStorageKey = (kind: RecentKind, hash: string): string => `switchboard.recent.${kind}.${hash}`;

function isEntry(v: unknown): v is RecentEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as { id?: unknown; at?: unknown };
  return typeof e.id === 'string' && typeof e.at === 'number';
}

/** The stored list, newest first; a missing or corrupt value reads as empty. */
export function readRecent(storage: KeyValueStorage, key: string): RecentEntry[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(key) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
  } catch {
    return [];
  }
}

/** Moves `id` to the front (or adds it), keeping at most RECENT_MAX entries; returns the new list. */
export function rememberRecent(opts: { storage: KeyValueStorage; key: string; id: string; now: number }): RecentEntry[] {
  const list = [{ id: opts.id, at: opts.now }, ...readRecent(opts.storage, opts.key).filter((e) => e.id !== opts.id)];
  const kept = list.slice(0, RECENT_MAX);
  opts.storage.setItem(opts.key, JSON.stringify(kept));
  return kept;
}

/** Drops `id` (deleted, or not found any more); returns the new list. */
export function forgetRecent(storage: KeyValueStorage, key: string, id: string): RecentEntry[] {
  const kept = readRecent(storage, key).filter((e) => e.id !== id);
  storage.setItem(key, JSON.stringify(kept));
  return kept;
}

/** What an "Open … by id" box accepts: the id's prefix and OpenAI's id alphabet, trimmed. */
export function parseIdInput(value: string, prefix: string): string | undefined {
  const id = value.trim();
  return id.startsWith(prefix) && /^[A-Za-z0-9_-]{4,128}$/.test(id) ? id : undefined;
}
