/**
 * Synthetic 512-d vectors for the retrieval benchmark, shaped like sentence embeddings or uniformly random.
 *
 * Real sentence embeddings have a low intrinsic dimension and cluster by topic, and a question lies near its
 * answer. 'embedding' (the default) mimics that: `topics` random unit centroids; chunk i (deterministic in i and
 * the seed) = normalise(centroid of its topic (Zipf-chosen) + a point in the topic's own `subspace`-dimensional
 * subspace + small isotropic noise); a query = normalise(a random chunk's vector + smaller noise of the same two
 * kinds). The two figures to compare with real embeddings (bench/embedding-shape.ts measures the local
 * Universal Sentence Encoder on the labelled set): the mean cosine of a query to its exact top-1 chunk, and to a
 * random chunk. 'random' (BENCH_VECTORS=random): uniformly random unit vectors, HNSW's worst case (distances
 * concentrate, so the true top-10 is barely nearer than the rest).
 */
import { mulberry32 } from '../test/support/prng.js';

export type VectorShape = 'embedding' | 'random';

export interface SyntheticVectors {
  readonly shape: VectorShape;
  /** The vector of chunk `ordinal` (0, 1, 2 … in fill order): the same for every dialect and run. */
  chunk(ordinal: number): Float32Array;
  /** A query vector, drawn with `rand` near a chunk among the first `chunks` ('random': a random unit vector). */
  query(rand: () => number, chunks: number): Float32Array;
}

export const EMBEDDING_SHAPE = {
  topics: 2_000,
  subspace: 16,
  /** Weights of a chunk's parts before normalising: a direction shared by all (real embeddings are anisotropic:
   * unrelated texts have cosine ~0.1, not 0), its topic's centroid, its topic's subspace, isotropic noise. */
  shared: Number(process.env.BENCH_SHAPE_SHARED ?? 0.7),
  centroid: 1,
  within: 0.9,
  noise: 0.35,
  /** A query's offset from its chunk: subspace and isotropic parts. */
  queryWithin: Number(process.env.BENCH_SHAPE_QW ?? 1.0),
  queryNoise: Number(process.env.BENCH_SHAPE_QN ?? 0.8),
};

/** A vector of `dims` standard normals (Box–Muller). */
export function gaussian(rand: () => number, dims: number): Float32Array {
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const th = 2 * Math.PI * rand();
    v[i] = r * Math.cos(th);
    if (i + 1 < dims) v[i + 1] = r * Math.sin(th);
  }
  return v;
}

export function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/** out += w · v */
function addScaled(out: Float32Array, v: Float32Array, w: number): void {
  for (let i = 0; i < out.length; i++) out[i]! += w * v[i]!;
}

export function syntheticVectors(shape: VectorShape, dims: number, seed = 42): SyntheticVectors {
  const chunkRand = (ordinal: number) => mulberry32((seed * 0x9e3779b1) ^ (ordinal + 1) * 0x85ebca6b);
  if (shape === 'random')
    return { shape, chunk: (ordinal) => normalise(gaussian(chunkRand(ordinal), dims)), query: (rand) => normalise(gaussian(rand, dims)) };
  return new TopicVectors(dims, seed, chunkRand);
}

/** The 'embedding' shape: topic centroids, each with its own low-dimensional subspace. */
class TopicVectors implements SyntheticVectors {
  readonly shape = 'embedding' as const;
  readonly #dims: number;
  readonly #shared: Float32Array;
  readonly #centroids: Float32Array[] = [];
  /** Per topic, `subspace` unit directions of spread (random directions in 512-d are nearly orthogonal). */
  readonly #bases: Float32Array[][] = [];
  /** Zipf(1) over topics as a cumulative table: some topics hold many chunks, most hold a few. */
  readonly #cdf: Float64Array;
  readonly #chunkRand: (ordinal: number) => () => number;

  constructor(dims: number, seed: number, chunkRand: (ordinal: number) => () => number) {
    const s = EMBEDDING_SHAPE;
    const rand = mulberry32(seed);
    this.#dims = dims;
    this.#chunkRand = chunkRand;
    this.#shared = normalise(gaussian(rand, dims));
    for (let t = 0; t < s.topics; t++) {
      this.#centroids.push(normalise(gaussian(rand, dims)));
      this.#bases.push(Array.from({ length: s.subspace }, () => normalise(gaussian(rand, dims))));
    }
    this.#cdf = new Float64Array(s.topics);
    let sum = 0;
    for (let t = 0; t < s.topics; t++) this.#cdf[t] = sum += 1 / (t + 1);
    for (let t = 0; t < s.topics; t++) this.#cdf[t]! /= sum;
  }

  #topic(u: number): number {
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** v += w_within · (a point of `topic`'s subspace, per-axis N(0, 1/subspace)) + w_noise · isotropic N(0, 1/dims). */
  #spread(v: Float32Array, rand: () => number, topic: number, within: number, noise: number): Float32Array {
    const basis = this.#bases[topic]!;
    const z = gaussian(rand, basis.length);
    for (const [j, b] of basis.entries()) addScaled(v, b, (within * z[j]!) / Math.sqrt(basis.length));
    addScaled(v, gaussian(rand, this.#dims), noise / Math.sqrt(this.#dims));
    return v;
  }

  #chunkAndTopic(ordinal: number): { v: Float32Array; topic: number } {
    const rand = this.#chunkRand(ordinal);
    const topic = this.#topic(rand());
    const v = new Float32Array(this.#dims);
    addScaled(v, this.#shared, EMBEDDING_SHAPE.shared);
    addScaled(v, this.#centroids[topic]!, EMBEDDING_SHAPE.centroid);
    return { v: normalise(this.#spread(v, rand, topic, EMBEDDING_SHAPE.within, EMBEDDING_SHAPE.noise)), topic };
  }

  chunk(ordinal: number): Float32Array {
    return this.#chunkAndTopic(ordinal).v;
  }

  query(rand: () => number, chunks: number): Float32Array {
    const { v, topic } = this.#chunkAndTopic(Math.floor(rand() * chunks));
    return normalise(this.#spread(v, rand, topic, EMBEDDING_SHAPE.queryWithin, EMBEDDING_SHAPE.queryNoise));
  }
}

/** Mean cosine of each query to its exact nearest chunk and to a random chunk (chosen with `rand`). */
export function shapeFigures(queries: readonly Float32Array[], chunks: readonly Float32Array[], rand: () => number): { top1: number; random: number } {
  let top1 = 0;
  let random = 0;
  for (const q of queries) {
    let best = -Infinity;
    for (const c of chunks) best = Math.max(best, cosine(q, c));
    top1 += best;
    random += cosine(q, chunks[Math.floor(rand() * chunks.length)]!);
  }
  return { top1: top1 / queries.length, random: random / queries.length };
}
