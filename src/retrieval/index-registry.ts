// This process's in-memory indexes of one kind (nearest-neighbour, keyword), per database and per store key.
import type { Db } from '../store/database.js';
import { indexBudget } from './index-budget.js';

/** What the registry needs of an index: its approximate size (O(1)) and a way to stop it (an unfinished build). */
export interface RegisteredIndex {
  readonly bytes: number;
  dispose(): void;
}

interface PerDb<O, S> {
  options: O;
  stores: Map<string, { store: S; entry: { bytes(): number; evict(): void } }>;
}

/**
 * One index per (database, key), made on first use with the database's options (defaults, or set by `configure`).
 * Every use counts in the database's IndexBudget (index-budget.ts): past its cap, the least recently used indexes of
 * any kind are dropped, and made anew (empty, rebuilt in the background while SQL answers) on their next use.
 */
export class IndexRegistry<O extends object, S extends RegisteredIndex> {
  readonly #byDb = new WeakMap<object, PerDb<O, S>>();

  constructor(private readonly defaults: O) {}

  /** Overrides the options of this database's indexes (tests, benchmarks); call before the first search. */
  configure(db: Db, options: Partial<O>): void {
    const perDb = this.#for(db);
    perDb.options = { ...perDb.options, ...options };
  }

  /** The index under `key`, created by `make` with the database's options the first time (or since it was evicted). */
  get(db: Db, key: string, make: (options: O) => S): S {
    const { stores, options } = this.#for(db);
    let held = stores.get(key);
    if (!held) {
      const store = make(options);
      const entry = {
        bytes: () => store.bytes,
        evict: () => {
          if (stores.get(key)?.store === store) stores.delete(key);
          store.dispose();
        },
      };
      stores.set(key, (held = { store, entry }));
    }
    indexBudget(db).use(held.entry);
    return held.store;
  }

  /** This database's indexes now (evicted ones are gone). */
  stores(db: Db): S[] {
    return [...this.#for(db).stores.values()].map((h) => h.store);
  }

  #for(db: Db): PerDb<O, S> {
    let perDb = this.#byDb.get(db);
    if (!perDb) this.#byDb.set(db, (perDb = { options: this.defaults, stores: new Map() }));
    return perDb;
  }
}
