// The file_search index: chunks with their embeddings, searched by keyword and by vector, fused (fuse.ts).
import { endianness } from 'node:os';
import type { Db, DialectName } from '../store/database.js';
import { deleteFileChunks, deleteVectorStoreChunks, findChunkTexts, insertChunks } from '../store/repos/chunks.repo.js';
import { bumpChunkIndexVersion, countChunkDelete } from '../store/repos/chunk-index-versions.repo.js';
import { ensureSqliteVectorTable } from '../store/repos/chunks-sqlite.repo.js';
import type { NewChunkRow } from '../store/tables/chunks.table.js';
import { annVectorSearch } from './ann-registry.js';
import { pgKeywordSearch, pgVectorSearch } from './chunk-index.pg.js';
import { sqliteKeywordSearch, sqliteVectorSearch, type KeywordSearchOptions } from './chunk-index.sqlite.js';
import { fuseHybrid, type HybridWeights } from './fuse.js';
import type { Chunk, RankedChunk, SearchHit, SearchScope } from './types.js';

export const DEFAULT_SEARCH_LIMIT = 20;
/** OpenAI caps max_num_results at 50; callers that filter hits afterwards may over-fetch up to this. */
export const MAX_SEARCH_LIMIT = 1000;
/** Each ranker returns this many candidates (at least) for fusion, so hits ranked low by one still count. */
const MIN_CANDIDATES = 50;

/** Little-endian float32 bytes, the stored form of an embedding on both dialects. */
export function vectorToBytes(vector: Float32Array): Buffer {
  if (endianness() === 'LE') return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  const out = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

export interface AddChunksOptions {
  tenantId: string;
  vectorStoreId: string;
  fileId: string;
  chunks: readonly Chunk[];
  /** One embedding per chunk, in order, all of the same length. */
  vectors: readonly Float32Array[];
}

/** Stores a file's chunks and their embeddings; returns the new chunks' ids. */
export async function addChunks(db: Db, dialect: DialectName, opts: AddChunksOptions): Promise<number[]> {
  const { chunks, vectors } = opts;
  if (chunks.length !== vectors.length) {
    throw new RangeError(`addChunks: ${chunks.length} chunks but ${vectors.length} vectors`);
  }
  if (chunks.length === 0) return [];
  const dims = vectors[0]!.length;
  if (dims === 0 || vectors.some((v) => v.length !== dims)) {
    throw new RangeError('addChunks: vectors must all have the same, non-zero length');
  }
  if (dialect === 'sqlite') await ensureSqliteVectorTable(db, dims);
  // Before the insert: on PostgreSQL this takes the store's version row lock (see ann-store.ts).
  await bumpChunkIndexVersion(db, { tenantId: opts.tenantId, vectorStoreId: opts.vectorStoreId });
  const rows: NewChunkRow[] = chunks.map((chunk, i) => ({
    tenant_id: opts.tenantId,
    vector_store_id: opts.vectorStoreId,
    file_id: opts.fileId,
    chunk_index: chunk.index,
    text: chunk.text.replaceAll('\u0000', ''), // PostgreSQL text cannot hold NUL
    tokens: chunk.tokens,
    embedding: vectorToBytes(vectors[i]!),
    dims,
  }));
  return insertChunks(db, rows);
}

/**
 * Deletes a file's chunks from one vector store (SQLite triggers also clear the FTS and vec0 rows); the
 * nearest-neighbour indexes of every instance drop them on their next search of the store.
 */
export async function removeFileChunks(db: Db, _dialect: DialectName, opts: { vectorStoreId: string; fileId: string }): Promise<number> {
  const deleted = await deleteFileChunks(db, opts);
  if (deleted > 0) await countChunkDelete(db, opts.vectorStoreId);
  return deleted;
}

/** Deletes every chunk of a vector store. */
export async function removeVectorStoreChunks(db: Db, _dialect: DialectName, vectorStoreId: string): Promise<number> {
  const deleted = await deleteVectorStoreChunks(db, vectorStoreId);
  if (deleted > 0) await countChunkDelete(db, vectorStoreId);
  return deleted;
}

/** Chunks sharing words with `query`, best first (FTS5 bm25 / PostgreSQL ts_rank; `windowed`: SQLite only). */
export function keywordSearch(db: Db, dialect: DialectName, opts: KeywordSearchOptions): Promise<RankedChunk[]> {
  return dialect === 'sqlite' ? sqliteKeywordSearch(db, opts) : pgKeywordSearch(db, opts);
}

/**
 * Chunks nearest to `vector` by cosine similarity, best first: from each store's nearest-neighbour index
 * (ann-store.ts) once it is built, else by the exact scan (sqlite-vec KNN / the in-process scan on PostgreSQL),
 * which also answers for stores under DEFAULT_ANN_STORE_OPTIONS.minChunks chunks.
 */
export async function vectorSearch(
  db: Db,
  dialect: DialectName,
  opts: SearchScope & { vector: Float32Array; exact?: boolean },
): Promise<RankedChunk[]> {
  const { hits, exactStores } = opts.exact ? { hits: [], exactStores: [...opts.vectorStoreIds] } : await annVectorSearch(db, opts);
  if (exactStores.length === 0) return hits;
  const exact = { ...opts, vectorStoreIds: exactStores };
  const scanned = await (dialect === 'sqlite' ? sqliteVectorSearch(db, exact) : pgVectorSearch(db, exact));
  if (hits.length === 0) return scanned;
  return [...hits, ...scanned].sort((a, b) => b.score - a.score || a.id - b.id).slice(0, opts.limit);
}

export type SearchMode = 'hybrid' | 'keyword' | 'vector';

export interface HybridSearchOptions {
  tenantId: string;
  vectorStoreIds: readonly string[];
  query: string;
  /** The query's embedding; without it, only the keyword ranker runs. */
  vector?: Float32Array;
  /** max_num_results: default 20, clamped to 1..MAX_SEARCH_LIMIT. */
  limit?: number;
  /** Hits scoring below this (0..1) are dropped. */
  scoreThreshold?: number;
  mode?: SearchMode;
  /** ranking_options.hybrid_search: the embedding and text halves' weights (fuse.ts has the default). */
  weights?: HybridWeights;
  /** Scan every vector rather than ask the nearest-neighbour index (a selective attribute filter needs the exact tail). */
  exact?: boolean;
}

/**
 * Keyword and vector rankers fused by fuseHybrid (fuse.ts): a hit's score is its weighted, normalised score
 * in [0, 1] — in vector mode the cosine similarity, in keyword mode (keyword score / best)². Sorted best first.
 */
export async function hybridSearch(db: Db, dialect: DialectName, opts: HybridSearchOptions): Promise<SearchHit[]> {
  const limit = Math.min(Math.max(Math.floor(opts.limit ?? DEFAULT_SEARCH_LIMIT), 1), MAX_SEARCH_LIMIT);
  const mode = opts.mode ?? 'hybrid';
  const scope: SearchScope = {
    tenantId: opts.tenantId,
    vectorStoreIds: [...new Set(opts.vectorStoreIds)],
    limit: Math.max(limit * 2, MIN_CANDIDATES),
  };
  if (scope.vectorStoreIds.length === 0) return [];
  // A half weighted 0 is not searched at all (ranking_options.hybrid_search can turn either off).
  const useKeyword = mode === 'keyword' || (mode === 'hybrid' && (opts.weights?.text_weight !== 0 || !opts.vector));
  const queryVector = mode !== 'keyword' && (mode === 'vector' || opts.weights?.embedding_weight !== 0) ? opts.vector : undefined;
  const [keyword, vector] = await Promise.all([
    // Fused with the vector half, a keyword score counts relative to the best one, squared: ranked in a window (SQLite).
    useKeyword ? keywordSearch(db, dialect, { ...scope, query: opts.query, windowed: queryVector !== undefined }) : undefined,
    queryVector ? vectorSearch(db, dialect, { ...scope, vector: queryVector, exact: opts.exact }) : undefined,
  ]);
  if (!keyword && !vector) return [];
  const fused = fuseHybrid({ keyword, vector, weights: opts.weights })
    .filter(({ score }) => opts.scoreThreshold === undefined || score >= opts.scoreThreshold)
    .slice(0, limit);
  return hydrate(db, opts.tenantId, fused);
}

/** Adds each hit's store, file, index and text (read in one query), keeping the order. */
async function hydrate(db: Db, tenantId: string, hits: { id: number; score: number }[]): Promise<SearchHit[]> {
  const rows = await findChunkTexts(db, tenantId, hits.map((h) => h.id));
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  return hits.flatMap(({ id, score }) => {
    const row = byId.get(id);
    if (!row) return [];
    const { vector_store_id: vectorStoreId, file_id: fileId, chunk_index: chunkIndex, text } = row;
    return [{ vectorStoreId, fileId, chunkIndex, text, score }];
  });
}
