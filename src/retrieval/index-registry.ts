// This process's in-memory indexes of one kind (nearest-neighbour, keyword), per database and per store key.
import type { Db } from '../store/database.js';

interface PerDb<O, S> {
  options: O;
  stores: Map<string, S>;
}

/** One index per (database, key), made on first use with the database's options (defaults, or set by `configure`). */
export class IndexRegistry<O extends object, S> {
  readonly #byDb = new WeakMap<object, PerDb<O, S>>();

  constructor(private readonly defaults: O) {}

  /** Overrides the options of this database's indexes (tests, benchmarks); call before the first search. */
  configure(db: Db, options: Partial<O>): void {
    const perDb = this.#for(db);
    perDb.options = { ...perDb.options, ...options };
  }

  /** The index under `key`, created by `make` with the database's options the first time. */
  get(db: Db, key: string, make: (options: O) => S): S {
    const { stores, options } = this.#for(db);
    let store = stores.get(key);
    if (!store) stores.set(key, (store = make(options)));
    return store;
  }

  /** This database's indexes so far. */
  stores(db: Db): S[] {
    return [...this.#for(db).stores.values()];
  }

  #for(db: Db): PerDb<O, S> {
    let perDb = this.#byDb.get(db);
    if (!perDb) this.#byDb.set(db, (perDb = { options: this.defaults, stores: new Map() }));
    return perDb;
  }
}
