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

/**
 * The indexes of one database, least recently used first, with the size each had when last used. Past `maxBytes`
 * the least recently used are evicted whole, never the one in use (so one index larger than the cap stays alone).
 * A Map keeps insertion order, which is all an LRU needs here: lru-cache is in node_modules only as a dependency of
 * a dependency, and its sizes are fixed when an entry is set, whereas an index grows while it builds.
 */
export class IndexBudget {
  maxBytes: number;
  readonly #sizes = new Map<BudgetEntry, number>();
  #total = 0;

  constructor(maxBytes = DEFAULT_INDEX_MEMORY_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** The sum of the indexes' sizes, each as it was when last used. */
  get totalBytes(): number {
    return this.#total;
  }

  get size(): number {
    return this.#sizes.size;
  }

  /** Marks `entry` most recently used with its size now, then evicts the least recently used while over the cap. */
  use(entry: BudgetEntry): void {
    const bytes = entry.bytes();
    this.#total += bytes - (this.#sizes.get(entry) ?? 0);
    this.#sizes.delete(entry);
    this.#sizes.set(entry, bytes);
    for (const [oldest, size] of this.#sizes) {
      if (this.#total <= this.maxBytes || oldest === entry) break;
      this.#sizes.delete(oldest);
      this.#total -= size;
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
export function limitIndexMemory(db: Db, maxBytes: number): void {
  indexBudget(db).maxBytes = maxBytes;
}
