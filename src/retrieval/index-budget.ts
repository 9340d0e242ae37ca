// How much memory this process's in-memory indexes (nearest-neighbour and keyword) of one database may hold.
import type { Db } from '../store/database.js';

/** Default cap of a database's in-memory indexes: 1 GiB (SWITCHBOARD_INDEX_MEMORY_MB / index_memory_mb). */
export const DEFAULT_INDEX_MEMORY_BYTES = 1024 * 1024 * 1024;

/** One in-memory index as the budget sees it: its size now (cheap to read), and how to drop it. */
export interface BudgetEntry {
  bytes(): number;
  /** Forget the index: its registry drops it, so the next use makes a new one (rebuilt while SQL answers). */
  evict(): void;
}

/** How long an index must have gone unused before it may be evicted (see IndexBudget). */
export const DEFAULT_MIN_IDLE_MS = 60_000;

export interface BudgetOptions {
  maxBytes?: number;
  /** Indexes used more recently than this are never evicted (0: only the one in use is kept). */
  minIdleMs?: number;
  now?: () => number;
}

/**
 * The indexes of one database, least recently used first, with the size each had when last used. Past `maxBytes`
 * the least recently used are evicted whole, but never one used in the last `minIdleMs`: a store searched now and
 * then must not lose its index to another searched as often (each rebuild of a large store costs CPU seconds), so
 * the cap bounds what idle stores hold, and the stores in use may overshoot it.
 * A Map keeps insertion order, which is all an LRU needs here: lru-cache is in node_modules only as a dependency of
 * a dependency, and its sizes are fixed when an entry is set, whereas an index grows while it builds.
 */
export class IndexBudget {
  maxBytes: number;
  minIdleMs: number;
  readonly #now: () => number;
  readonly #used = new Map<BudgetEntry, { bytes: number; at: number }>();
  #total = 0;

  constructor(opts: BudgetOptions = {}) {
    this.maxBytes = opts.maxBytes ?? DEFAULT_INDEX_MEMORY_BYTES;
    this.minIdleMs = opts.minIdleMs ?? DEFAULT_MIN_IDLE_MS;
    this.#now = opts.now ?? Date.now;
  }

  /** The sum of the indexes' sizes, each as it was when last used. */
  get totalBytes(): number {
    return this.#total;
  }

  get size(): number {
    return this.#used.size;
  }

  /** Marks `entry` most recently used with its size now, then evicts the least recently used while over the cap. */
  use(entry: BudgetEntry): void {
    const bytes = entry.bytes();
    const at = this.#now();
    this.#total += bytes - (this.#used.get(entry)?.bytes ?? 0);
    this.#used.delete(entry);
    this.#used.set(entry, { bytes, at });
    for (const [oldest, used] of this.#used) {
      if (this.#total <= this.maxBytes || oldest === entry || at - used.at < this.minIdleMs) break;
      this.#used.delete(oldest);
      this.#total -= used.bytes;
      oldest.evict();
    }
  }
}

const budgets = new WeakMap<object, IndexBudget>();

/** The budget of this database's indexes (one for every kind, so they compete for the same memory). */
export function indexBudget(db: Db): IndexBudget {
  let budget = budgets.get(db);
  if (!budget) budgets.set(db, (budget = new IndexBudget()));
  return budget;
}

/** Caps the memory of this database's in-memory indexes (config: SWITCHBOARD_INDEX_MEMORY_MB / index_memory_mb). */
export function limitIndexMemory(db: Db, maxBytes: number, opts: { minIdleMs?: number } = {}): void {
  const budget = indexBudget(db);
  budget.maxBytes = maxBytes;
  if (opts.minIdleMs !== undefined) budget.minIdleMs = opts.minIdleMs;
}
