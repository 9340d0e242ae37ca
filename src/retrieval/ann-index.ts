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
 * Tuned on vectors shaped like sentence embeddings (bench/ann-tune.ts, bench/synthetic-vectors.ts: topic clusters
 * of low intrinsic dimension, queries near a chunk; 100 queries, recall@10 against an exact scan, CPU ms per search,
 * 2 busy cores) at 100k chunks:
 *   M 16, ef_construction 64:  ef 128 0.912 (1.13 ms), ef 256 0.980 (1.81 ms), ef 512 0.989 (3.41 ms)
 *   M 16, ef_construction 128: ef 64 0.956 (0.69 ms), ef 128 0.978 (1.00 ms), ef 256 0.987 (1.62 ms), ef 512 0.990 (3.08 ms)
 * ef_construction 128 with ef 256: 0.987, a margin over 0.97 for larger stores, at half the search CPU of the
 * former ef 512; building costs 1.7× ef_construction 64's (100k: 103 against 60 CPU s), paid once in the background.
 * On uniformly random 512-d vectors (the worst case, BENCH_VECTORS=random) recall stays low whatever the
 * parameters (0.31 at 100k with ef 512; ef 1,024 reached 0.84 at 10k): every chunk is nearly as close to a random
 * query as its true neighbours. Scalars at ef 64, 20k random: f32 0.28, f16 0.24, i8 0.24, so the graph, not the
 * scalar, limits recall; f16 halves f32's memory and keeps the scores exact to ~1e-3.
 */
export const DEFAULT_ANN_PARAMS: AnnParams = { scalar: 'f16', connectivity: 16, expansionAdd: 128, expansionSearch: 256 };

const SCALARS: Record<AnnScalar, Usearch.ScalarKind> = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 };
const SCALAR_BYTES: Record<AnnScalar, number> = { f32: 4, f16: 2, i8: 1 };
/** Per slot besides the vector and its base-layer links: the 8-byte key, the node's level and lock (usearch's layout). */
const SLOT_OVERHEAD_BYTES = 16;
/** An empty index, measured: ~4.6 kB of RSS each over 20k of them (512-d, Node 20). */
const EMPTY_INDEX_BYTES = 4_608;

/** Vectors keyed by chunk id; `add` and `remove` are synchronous, so callers add in small batches. */
export class AnnIndex {
  readonly dims: number;
  readonly #index: Usearch.Index;
  /** Bytes a reserved slot takes: the stored vector and 2·M base-layer links of 4 bytes (upper layers are ~1/M of it). */
  readonly #slotBytes: number;

  constructor(dims: number, params: AnnParams = DEFAULT_ANN_PARAMS) {
    this.dims = dims;
    this.#slotBytes = dims * SCALAR_BYTES[params.scalar] + params.connectivity * 2 * 4 + SLOT_OVERHEAD_BYTES;
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

  /** Approximate memory held: the empty index, and every reserved slot (usearch reserves ahead of the vectors added). */
  get bytes(): number {
    return EMPTY_INDEX_BYTES + this.#index.capacity() * this.#slotBytes;
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
