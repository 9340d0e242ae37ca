/**
 * One vector store's in-memory keyword index (keyword-index.ts) in this process, kept in step with PostgreSQL
 * the way ann-store.ts keeps its nearest-neighbour index: the caller passes the store's `chunk_index_versions`
 * row (read in the same statement as the query's lexemes); new chunks are read by id above the last one seen
 * (a store's writers are ordered by that row's lock); a delete re-lists the store's ids and drops those gone.
 *
 * Build: on the first search of a store, in the background, a page of chunks per query with their tsvectors
 * (lexemes and their numbers of positions, tsvector-text.ts); until it is built `search` answers undefined and
 * the SQL query ranks. Stores under `minChunks` chunks stay with SQL: its GIN query is as fast there.
 */
import type { Db } from '../store/database.js';
import { findChunkIndexVersion } from '../store/repos/chunk-index-versions.repo.js';
import { findChunkVectorIds } from '../store/repos/chunks.repo.js';
import { pgChunkTsvectorsAfter, pgChunkTsvectorsByIds, type ChunkStoreKey, type PgChunkTsvector } from '../store/repos/chunks-pg.repo.js';
import { KeywordIndex, type KeywordHit } from './keyword-index.js';
import { parseTsvectorText } from './tsvector-text.js';
import { IndexRegistry } from './index-registry.js';

export interface KeywordStoreOptions {
  /** Stores with fewer chunks are ranked by SQL. */
  minChunks: number;
  /** Chunks read per query while building. */
  page: number;
}

/** minChunks 5,000, as the nearest-neighbour index (ann-store.ts): below it the SQL query takes a few ms. */
export const DEFAULT_KEYWORD_STORE_OPTIONS: KeywordStoreOptions = { minChunks: 5_000, page: 1_000 };

export interface StoreVersion {
  version: number;
  deletes: number;
}

type Phase = 'idle' | 'building' | 'small' | 'ready';

export class KeywordStore {
  readonly #key: ChunkStoreKey;
  readonly #opts: KeywordStoreOptions;
  #phase: Phase = 'idle';
  #index = new KeywordIndex();
  #version = -1;
  #deletes = -1;
  #maxId = 0;
  #built: Promise<void> | undefined;
  #sync: Promise<void> = Promise.resolve();
  /** Evicted (index-budget.ts): an unfinished build stops, and what it held is let go. */
  #disposed = false;

  constructor(key: ChunkStoreKey, opts: KeywordStoreOptions = DEFAULT_KEYWORD_STORE_OPTIONS) {
    this.#key = key;
    this.#opts = opts;
  }

  /** The tenant and vector store it indexes. */
  get key(): ChunkStoreKey {
    return this.#key;
  }

  get stats(): { phase: Phase; chunks: number; lexemes: number; bytes: number } {
    return { phase: this.#phase, chunks: this.#index.size, lexemes: this.#index.lexemes, bytes: this.#index.bytes };
  }

  /**
   * Approximate memory held: the index's arrays and postings, with ~96 bytes per lexeme (its Map entry, string and
   * list object) and ~40 per chunk (its id's Map entry) besides.
   */
  get bytes(): number {
    return this.#index.bytes + this.#index.lexemes * 96 + this.#index.size * 40;
  }

  /** Lets go of the index (evicted): a build under way stops at its next page. */
  dispose(): void {
    this.#disposed = true;
    if (this.#phase !== 'building') this.#phase = 'idle';
    this.#index = new KeywordIndex();
  }

  /** Starts the build if need be; resolves once it is over (built, or found small). */
  whenBuilt(db: Db, row: StoreVersion): Promise<void> {
    if (this.#disposed) return Promise.resolve();
    if (this.#phase === 'idle') this.#built = this.#build(db, row);
    return this.#built ?? Promise.resolve();
  }

  /** The `k` best chunks for `lexemes`; undefined when SQL should answer (not built yet, or a small store). */
  async search(db: Db, row: StoreVersion, lexemes: readonly string[], k: number): Promise<KeywordHit[] | undefined> {
    if (this.#disposed) return undefined;
    if (this.#phase === 'small' && row.version !== this.#version) this.#phase = 'idle';
    if (this.#phase === 'idle') void this.whenBuilt(db, row).catch(() => undefined);
    if (this.#phase !== 'ready') return undefined;
    if (row.version !== this.#version || row.deletes !== this.#deletes) await this.#catchUp(db, row);
    if (this.#index.size < this.#opts.minChunks) return undefined;
    return this.#index.search(lexemes, k);
  }

  async #build(db: Db, row: StoreVersion): Promise<void> {
    this.#phase = 'building';
    try {
      this.#index = new KeywordIndex();
      this.#maxId = 0;
      this.#version = row.version;
      this.#deletes = row.deletes;
      const ids = await findChunkVectorIds(db, this.#key);
      if (ids.length < this.#opts.minChunks) {
        this.#phase = 'small';
        return;
      }
      await this.#fetchNew(db);
      if (this.#disposed) {
        this.#phase = 'idle';
        this.#index = new KeywordIndex();
        return;
      }
      this.#index.trim();
      this.#phase = 'ready';
    } catch (err) {
      this.#phase = 'idle';
      throw err;
    }
  }

  /** One catch-up at a time: each starts from what the previous one left. */
  #catchUp(db: Db, row: StoreVersion): Promise<void> {
    const next = this.#sync.then(async () => {
      if (row.deletes !== this.#deletes) await this.#resync(db);
      else await this.#fetchNew(db);
      this.#version = Math.max(this.#version, row.version);
      this.#deletes = Math.max(this.#deletes, row.deletes);
    });
    this.#sync = next.catch(() => undefined);
    return next;
  }

  async #fetchNew(db: Db): Promise<void> {
    for (;;) {
      const rows = await pgChunkTsvectorsAfter(db, { ...this.#key, afterId: this.#maxId, limit: this.#opts.page });
      if (rows.length === 0 || this.#disposed) return;
      this.#take(rows);
    }
  }

  /** After a delete: drop the ids the store no longer has, fetch the ones it has and this index lacks. */
  async #resync(db: Db): Promise<void> {
    const live = await findChunkVectorIds(db, this.#key);
    const liveSet = new Set(live);
    for (const id of this.#index.ids()) if (!liveSet.has(id)) this.#index.remove(id);
    this.#take(await pgChunkTsvectorsByIds(db, this.#key, live.filter((id) => !this.#index.has(id))));
  }

  #take(rows: readonly PgChunkTsvector[]): void {
    for (const { tsv, ...row } of rows) {
      this.#index.add({ ...row, ...parseTsvectorText(tsv) });
      if (row.id > this.#maxId) this.#maxId = row.id;
    }
  }
}

const registry = new IndexRegistry<KeywordStoreOptions, KeywordStore>(DEFAULT_KEYWORD_STORE_OPTIONS);

/** Overrides the keyword index options of this database's stores (tests, benchmarks); call before the first search. */
export function configureKeywordIndex(db: Db, options: Partial<KeywordStoreOptions>): void {
  registry.configure(db, options);
}

/** This process's keyword index of one store of the tenant, created (empty, unbuilt) on first use. */
export function keywordStoreFor(db: Db, key: ChunkStoreKey): KeywordStore {
  return registry.get(db, `${key.tenantId}\u0000${key.vectorStoreId}`, (options) => new KeywordStore(key, options));
}

/** This process's keyword indexes of the database and what each holds (tests, metrics, benchmarks). */
export function keywordIndexStats(db: Db): Array<{ vectorStoreId: string } & KeywordStore['stats']> {
  return registry.stores(db).map((store) => ({ vectorStoreId: store.key.vectorStoreId, ...store.stats }));
}

/**
 * Builds this process's keyword index of the store now and resolves once it answers (benchmarks, warm-up); a
 * store that never held chunks, or is under `minChunks`, resolves at once and stays with SQL.
 */
export async function whenKeywordIndexBuilt(db: Db, key: ChunkStoreKey): Promise<void> {
  const row = await findChunkIndexVersion(db, key);
  if (row) await keywordStoreFor(db, key).whenBuilt(db, row);
}
