/**
 * Exact vector search without a vector index (PostgreSQL without pgvector): a store's embeddings
 * are loaded once into one Float32Array of unit rows and scanned in JS (512-d: ~5 ms per 10k
 * chunks). Reading them from the database on every query would cost far more (~0.3 s per 10k
 * chunks over the wire; cosine in SQL with unnest, seconds). Each search first asks the database
 * for the store's stamp (count, max and sum of chunk ids, an index-only scan), so the cache never
 * serves a stale set: ids only grow and chunks are never updated in place, so any insert or delete
 * changes the stamp. On a change only the missing ids' embeddings are fetched.
 */

/** One store's vectors: row i of `matrix` (length ids.length × dims) is chunk ids[i], at unit length. */
export interface StoreVectors {
  dims: number;
  ids: Float64Array;
  matrix: Float32Array;
}

/** Where a store's vectors come from. */
export interface VectorSource {
  dims: number;
  /** Changes whenever the store's set of chunks changes. */
  stamp(): Promise<string>;
  /** Ids of the store's chunks that have `dims` dimensions. */
  ids(): Promise<number[]>;
  /** Little-endian float32 bytes of these chunks' embeddings. */
  load(ids: number[]): Promise<Map<number, Uint8Array>>;
}

interface Entry {
  stamp: string;
  vectors: StoreVectors;
}

/** Least-recently-used cache of stores' vectors, bounded by the number of floats held. */
export class VectorCache {
  readonly #maxFloats: number;
  #floats = 0;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<StoreVectors>>();

  /** Default bound: 64M floats = 256 MB (125k chunks of 512 dimensions). */
  constructor(maxFloats = 64 * 1024 * 1024) {
    this.#maxFloats = maxFloats;
  }

  async get(key: string, source: VectorSource): Promise<StoreVectors> {
    const stamp = await source.stamp();
    const entry = this.#entries.get(key);
    if (entry && entry.stamp === stamp) {
      this.#entries.delete(key); // re-insert: most recently used last
      this.#entries.set(key, entry);
      return entry.vectors;
    }
    const pendingKey = `${key}\u0000${stamp}`;
    let pending = this.#pending.get(pendingKey);
    if (!pending) {
      pending = this.#refresh(key, stamp, source, entry?.vectors).finally(() => this.#pending.delete(pendingKey));
      this.#pending.set(pendingKey, pending);
    }
    return pending;
  }

  async #refresh(key: string, stamp: string, source: VectorSource, old?: StoreVectors): Promise<StoreVectors> {
    const ids = await source.ids();
    const oldRow = new Map<number, number>();
    if (old && old.dims === source.dims) old.ids.forEach((id, row) => oldRow.set(id, row));
    const fetched = await source.load(ids.filter((id) => !oldRow.has(id)));
    const { dims } = source;
    const keep = ids.filter((id) => oldRow.has(id) || fetched.has(id)); // deleted meanwhile: skipped
    const vectors: StoreVectors = { dims, ids: Float64Array.from(keep), matrix: new Float32Array(keep.length * dims) };
    keep.forEach((id, row) => {
      const from = oldRow.get(id);
      if (from !== undefined && old) {
        vectors.matrix.set(old.matrix.subarray(from * dims, (from + 1) * dims), row * dims);
      } else {
        const bytes = fetched.get(id)!;
        if (bytes.byteLength !== dims * 4) {
          throw new Error(`chunk ${id}: embedding has ${bytes.byteLength} bytes, expected ${dims * 4}`);
        }
        new Uint8Array(vectors.matrix.buffer, row * dims * 4, dims * 4).set(bytes);
        normalize(vectors.matrix.subarray(row * dims, (row + 1) * dims));
      }
    });
    this.#store(key, { stamp, vectors });
    return vectors;
  }

  #store(key: string, entry: Entry): void {
    const previous = this.#entries.get(key);
    if (previous) {
      this.#entries.delete(key);
      this.#floats -= previous.vectors.matrix.length;
    }
    if (entry.vectors.matrix.length > this.#maxFloats) return; // too big to keep: used once
    this.#entries.set(key, entry);
    this.#floats += entry.vectors.matrix.length;
    for (const [oldest, { vectors }] of this.#entries) {
      if (this.#floats <= this.#maxFloats) break;
      this.#entries.delete(oldest);
      this.#floats -= vectors.matrix.length;
    }
  }
}

/** Scales `v` to unit length in place (a zero vector stays zero). */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  }
  return v;
}

/** The `k` rows most similar to `query` (cosine similarity), best first. */
export function nearest(vectors: StoreVectors, query: Float32Array, k: number): { id: number; score: number }[] {
  const { dims, ids, matrix } = vectors;
  if (query.length !== dims || k <= 0) return [];
  const q = normalize(Float32Array.from(query));
  const top: { id: number; score: number }[] = []; // sorted best first, at most k long
  for (let row = 0; row < ids.length; row++) {
    let dot = 0;
    const base = row * dims;
    for (let i = 0; i < dims; i++) dot += matrix[base + i]! * q[i]!;
    if (top.length === k && dot <= top[k - 1]!.score) continue;
    let at = top.length;
    while (at > 0 && top[at - 1]!.score < dot) at--;
    top.splice(at, 0, { id: ids[row]!, score: dot });
    if (top.length > k) top.pop();
  }
  return top;
}
