// One vector store's approximate nearest-neighbour index: HNSW over cosine distance, from usearch.
import { createRequire } from 'node:module';
import type * as Usearch from 'usearch';

// usearch's ESM entry cannot find its own binary (getBuildDir recurses); its CommonJS entry can.
const { Index, MetricKind, ScalarKind } = createRequire(import.meta.url)('usearch') as typeof Usearch;

export type AnnScalar = 'f32' | 'f16' | 'i8';

export interface AnnParams {
  /** Stored form of the vectors: f16 halves f32's memory (1M × 512-d: 1 GB instead of 2 GB). */
  scalar: AnnScalar;
  /** HNSW M: links per node. */
  connectivity: number;
  /** ef_construction: candidates kept while linking a new node. */
  expansionAdd: number;
  /** ef: candidates kept while searching (at least k). */
  expansionSearch: number;
}

/**
 * Measured under load on this 2-core machine (bench/retrieval-ann.ts, recall@10 against the exact scan): on the
 * benchmark's random unit 512-d vectors, 0.90 at 12k chunks and 0.31 at 100k (SQLite 0.306, PostgreSQL 0.316),
 * far from 0.97: every chunk is nearly as close to a random query as its true neighbours, so the graph cannot
 * steer (ef 1,024 reached only 0.84 at 10k). On vectors with 32-dimensional structure plus noise, closer to real
 * embeddings, the same parameters gave 1.00 at 20k. Scalars at ef 64, 20k random: f32 0.28, f16 0.24, i8 0.24,
 * so the graph, not the scalar, limits recall; f16 halves f32's memory and keeps the scores exact to ~1e-3.
 * ef_construction 64 rather than 128: building costs about half as much (100k: 5–12 min on 2 busy cores).
 */
export const DEFAULT_ANN_PARAMS: AnnParams = { scalar: 'f16', connectivity: 16, expansionAdd: 64, expansionSearch: 512 };

const SCALARS: Record<AnnScalar, Usearch.ScalarKind> = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 };

/** Vectors keyed by chunk id; `add` and `remove` are synchronous, so callers add in small batches. */
export class AnnIndex {
  readonly dims: number;
  readonly #index: Usearch.Index;

  constructor(dims: number, params: AnnParams = DEFAULT_ANN_PARAMS) {
    this.dims = dims;
    this.#index = new Index({
      dimensions: dims,
      metric: MetricKind.Cos,
      quantization: SCALARS[params.scalar],
      connectivity: params.connectivity,
      expansion_add: params.expansionAdd,
      expansion_search: params.expansionSearch,
      multi: false,
    });
  }

  get size(): number {
    return this.#index.size();
  }

  /** Adds rows of `matrix` (ids.length × dims) under these ids, on `threads` threads; an id already present is replaced. */
  add(ids: readonly number[], matrix: Float32Array, threads = 1): void {
    if (ids.length === 0) return;
    if (matrix.length !== ids.length * this.dims) throw new RangeError(`AnnIndex.add: ${ids.length} ids, ${matrix.length} floats`);
    const keys = BigUint64Array.from(ids, (id) => BigInt(id));
    const present = this.#index.contains(keys);
    const again = keys.filter((_, i) => (Array.isArray(present) ? present[i] : present));
    if (again.length > 0) this.#index.remove(again);
    this.#index.add(keys, matrix, threads);
  }

  /** Writes the index to `path` (usearch's own format); `load` reads it back into an index of the same dims. */
  save(path: string): void {
    this.#index.save(path);
  }

  load(path: string): void {
    this.#index.load(path);
  }

  remove(ids: readonly number[]): void {
    if (ids.length > 0) this.#index.remove(BigUint64Array.from(ids, (id) => BigInt(id)));
  }

  has(id: number): boolean {
    return this.#index.contains(BigInt(id)) === true;
  }

  /** The `k` nearest ids to `query`, nearest first, with cosine similarity as the score. */
  search(query: Float32Array, k: number): Array<{ id: number; score: number }> {
    if (k <= 0 || this.size === 0) return [];
    const { keys, distances } = this.#index.search(query, Math.min(k, this.size), 1);
    const out: Array<{ id: number; score: number }> = [];
    for (let i = 0; i < keys.length; i++) {
      const distance = distances[i]!;
      if (!Number.isFinite(distance)) continue;
      out.push({ id: Number(keys[i]!), score: 1 - distance });
    }
    return out;
  }
}
