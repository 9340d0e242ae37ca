/**
 * One vector store's nearest-neighbour index in this process, kept in step with the database.
 *
 * Freshness: before each search one primary-key read of `chunk_index_versions` (store/repos) says whether the
 * store's chunks changed. New chunks are read by id above the last one seen (a store's writers are ordered by
 * that row's lock, so ids grow in commit order) and kept in a small exact-scanned list until the background
 * drain links them into the graph; a search merges both. A delete (its own counter) re-lists the store's ids:
 * ids gone are removed from the graph, ids missing are fetched. So an instance that did not ingest a file
 * finds its chunks on its next search, and one that did not delete it stops finding them.
 *
 * Build: on the first search of a store, in the background (adding a batch at a time between turns of the
 * event loop); until it is built, `search` answers undefined and the caller scans exactly. A store with
 * fewer than `minChunks` chunks is never indexed: the exact scan is as fast there (see chunk-index.ts).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../store/database.js';
import { findChunkIndexVersion } from '../store/repos/chunk-index-versions.repo.js';
import type { ChunkIndexVersionRow } from '../store/tables/chunk-index-versions.table.js';
import {
  findChunkVectorIds,
  findChunkVectorsAfter,
  findChunkVectorsByIds,
  type ChunkVectorScope,
} from '../store/repos/chunks.repo.js';
import { AnnIndex, DEFAULT_ANN_PARAMS, type AnnParams } from './ann-index.js';
import { normalize } from './vector-cache.js';

export interface AnnStoreOptions {
  params: AnnParams;
  /** Stores with fewer chunks are scanned exactly. */
  minChunks: number;
  /** Vectors linked into the graph per turn of the event loop (each turn blocks for about batch × 0.5 ms). */
  batch: number;
  /** Rows read per query while building. */
  page: number;
  /** Threads linking a batch (1: the server keeps a core for requests; benchmarks building 1M chunks use all). */
  threads: number;
}

/**
 * minChunks 5,000: the exact scan costs ~1.8 µs a chunk on SQLite (sqlite-vec) and ~1.3 µs on PostgreSQL (the
 * in-process scan), 17.6 and 12.6 ms p50 at 10k chunks on a quiet machine (BENCHMARKS.md), so under 9 ms below
 * 5,000, with perfect recall and no build; an index search costs 1–5 ms whatever the size (bench/retrieval-ann.ts).
 */
export const DEFAULT_ANN_STORE_OPTIONS: AnnStoreOptions = { params: DEFAULT_ANN_PARAMS, minChunks: 5_000, batch: 32, page: 2_000, threads: 1 };

type Phase = 'idle' | 'building' | 'small' | 'ready';

/** A pending vector's Map entry and Float32Array header, besides its floats. */
const PENDING_ENTRY_BYTES = 96;

export class AnnStore {
  readonly #scope: ChunkVectorScope;
  readonly #opts: AnnStoreOptions;
  #phase: Phase = 'idle';
  #index: AnnIndex;
  /** Every id in the graph or pending. */
  #known = new Set<number>();
  #pending = new Map<number, Float32Array>();
  #version = -1;
  #deletes = -1;
  #maxId = 0;
  #built: Promise<void> | undefined;
  #sync: Promise<void> = Promise.resolve();
  #draining = false;
  /** Evicted (index-budget.ts): an unfinished build or drain stops, and what it held is let go. */
  #disposed = false;

  constructor(scope: ChunkVectorScope, opts: AnnStoreOptions = DEFAULT_ANN_STORE_OPTIONS) {
    this.#scope = scope;
    this.#opts = opts;
    this.#index = new AnnIndex(scope.dims, opts.params);
  }

  get scope(): Readonly<ChunkVectorScope> {
    return this.#scope;
  }

  /** What the graph holds and what waits to be linked. */
  get stats(): { phase: Phase; indexed: number; pending: number } {
    return { phase: this.#phase, indexed: this.#index.size, pending: this.#pending.size };
  }

  /** Approximate memory held: the graph, the vectors waiting to be linked, and the ids known (~24 bytes each in a Set). */
  get bytes(): number {
    return this.#index.bytes + this.#pending.size * (this.#scope.dims * 4 + PENDING_ENTRY_BYTES) + this.#known.size * 24;
  }

  /** Lets go of the index (evicted): a build or drain under way stops at its next step. */
  dispose(): void {
    this.#disposed = true;
    if (this.#phase !== 'building') this.#phase = 'idle';
    this.#pending.clear();
    this.#known.clear();
    this.#index = new AnnIndex(this.#scope.dims, this.#opts.params);
  }

  /** Starts the build if need be; resolves once it is over (built, or found small). */
  whenBuilt(db: Db): Promise<void> {
    if (this.#disposed) return Promise.resolve();
    if (this.#phase === 'idle') this.#built = this.#build(db);
    return this.#built ?? Promise.resolve();
  }

  /** Resolves once every pending vector is linked into the graph. */
  async whenDrained(): Promise<void> {
    while (this.#pending.size > 0 || this.#draining) await nextTurn();
  }

  /**
   * The `k` nearest chunk ids with cosine similarity, best first; undefined when the exact scan should
   * answer (no index yet, or a small store).
   */
  async search(db: Db, query: Float32Array, k: number): Promise<Array<{ id: number; score: number }> | undefined> {
    if (this.#disposed) return undefined;
    const row = await findChunkIndexVersion(db, this.#scope);
    if (!row) return undefined;
    if (this.#phase === 'idle') void this.whenBuilt(db).catch(() => undefined);
    if (this.#phase === 'small' && row.version !== this.#version) this.#restart(db);
    if (this.#phase !== 'ready') return undefined;
    if (row.version !== this.#version || row.deletes !== this.#deletes) await this.#catchUp(db, row);
    if (this.#known.size < this.#opts.minChunks) return undefined;
    return this.#nearest(query, k);
  }

  #restart(db: Db): void {
    this.#phase = 'idle';
    void this.whenBuilt(db).catch(() => undefined);
  }

  async #build(db: Db): Promise<void> {
    this.#phase = 'building';
    try {
      const row = await findChunkIndexVersion(db, this.#scope); // also checks the store against the tenant
      const ids = row ? await findChunkVectorIds(db, this.#scope) : [];
      this.#version = row?.version ?? 0;
      this.#deletes = row?.deletes ?? 0;
      if (ids.length < this.#opts.minChunks) {
        this.#phase = 'small';
        return;
      }
      for (;;) {
        const rows = await findChunkVectorsAfter(db, { ...this.#scope, afterId: this.#maxId, limit: this.#opts.page });
        if (rows.length === 0 || this.#disposed) break;
        this.#take(rows);
        await this.#drain();
      }
      this.#phase = this.#disposed ? 'idle' : 'ready';
    } catch (err) {
      this.#phase = 'idle';
      throw err;
    }
  }

  /** One catch-up at a time: each starts from what the previous one left. */
  #catchUp(db: Db, row: ChunkIndexVersionRow): Promise<void> {
    const next = this.#sync.then(async () => {
      if (row.deletes !== this.#deletes) await this.#resync(db);
      else await this.#fetchNew(db);
      this.#version = Math.max(this.#version, row.version);
      this.#deletes = Math.max(this.#deletes, row.deletes);
      void this.#drain();
    });
    this.#sync = next.catch(() => undefined);
    return next;
  }

  async #fetchNew(db: Db): Promise<void> {
    for (;;) {
      const rows = await findChunkVectorsAfter(db, { ...this.#scope, afterId: this.#maxId, limit: this.#opts.page });
      if (rows.length === 0) return;
      this.#take(rows);
    }
  }

  /** After a delete: drop the ids the store no longer has, fetch the ones it has and this index lacks. */
  async #resync(db: Db): Promise<void> {
    const live = await findChunkVectorIds(db, this.#scope);
    const liveSet = new Set(live);
    const gone = [...this.#known].filter((id) => !liveSet.has(id));
    this.#index.remove(gone.filter((id) => !this.#pending.delete(id)));
    for (const id of gone) this.#known.delete(id);
    const missing = live.filter((id) => !this.#known.has(id));
    this.#take(await findChunkVectorsByIds(db, this.#scope, missing));
  }

  #take(rows: ReadonlyArray<{ id: number; embedding: Uint8Array }>): void {
    const { dims } = this.#scope;
    for (const { id, embedding } of rows) {
      if (embedding.byteLength !== dims * 4) throw new Error(`chunk ${id}: embedding has ${embedding.byteLength} bytes, expected ${dims * 4}`);
      const vector = new Float32Array(dims);
      new Uint8Array(vector.buffer).set(embedding);
      this.#pending.set(id, normalize(vector));
      this.#known.add(id);
      if (id > this.#maxId) this.#maxId = id;
    }
  }

  /** Links pending vectors into the graph, a batch per turn of the event loop. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#pending.size > 0 && !this.#disposed) {
        const batch: number[] = [];
        for (const id of this.#pending.keys()) if (batch.push(id) === this.#opts.batch) break;
        const matrix = new Float32Array(batch.length * this.#scope.dims);
        batch.forEach((id, i) => matrix.set(this.#pending.get(id)!, i * this.#scope.dims));
        this.#index.add(batch, matrix, this.#opts.threads);
        for (const id of batch) this.#pending.delete(id);
        await nextTurn();
      }
    } finally {
      this.#draining = false;
    }
  }

  #nearest(query: Float32Array, k: number): Array<{ id: number; score: number }> {
    const hits = this.#index.search(query, k);
    if (this.#pending.size === 0) return hits;
    const q = normalize(Float32Array.from(query));
    for (const [id, v] of this.#pending) {
      let dot = 0;
      for (let i = 0; i < v.length; i++) dot += v[i]! * q[i]!;
      hits.push({ id, score: dot });
    }
    return hits.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
  }
}
