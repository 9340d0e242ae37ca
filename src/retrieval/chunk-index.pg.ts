// PostgreSQL side of the chunk index: full text (tsvector + GIN) for keywords, an exact scan for vectors.
import type { Db } from '../store/database.js';
import {
  pgChunkEmbeddings,
  pgChunkIds,
  pgChunkRefs,
  pgChunkStamp,
  pgCommonLexemes,
  pgFullTextSearch,
  pgQueryLexemes,
} from '../store/repos/chunks-pg.repo.js';
import type { RankedChunk, SearchScope } from './types.js';
import { VectorCache, nearest, type VectorSource } from './vector-cache.js';

/** A lexeme ANALYZE found in at least this share of the chunks is "common": matched last, if at all. */
const COMMON_SHARE = 0.1;

/**
 * Chunks matching any word of the query, by ts_rank (store/repos/chunks-pg.repo.ts), the same top `limit`
 * as scoring every match, without scoring every match. ts_rank has no idf: every chunk holding a common
 * word would be read (its tsvector, ~4 kB out of line) and ranked, half the store for an everyday word.
 * So, when the query has both rare and common lexemes: rank the chunks holding a rare one (by the whole
 * query); the last of those `limit` sets a bar, and of the chunks holding only common lexemes just the
 * short ones can reach it (commonOnlyMaxLexemes); rank those too and keep the best.
 */
export async function pgKeywordSearch(db: Db, scope: SearchScope & { query: string }): Promise<RankedChunk[]> {
  if (scope.vectorStoreIds.length === 0 || scope.query.trim() === '') return [];
  const lexemes = await pgQueryLexemes(db, scope.query);
  if (lexemes.length === 0) return [];
  const common = new Set(await pgCommonLexemes(db, lexemes, COMMON_SHARE));
  const rare = lexemes.filter((l) => !common.has(l));
  if (common.size === 0 || rare.length === 0) return pgFullTextSearch(db, scope);
  const first = await pgFullTextSearch(db, { ...scope, matching: rare });
  if (first.length < scope.limit) return pgFullTextSearch(db, scope);
  const bar = first[first.length - 1]!.score;
  const maxLexemes = commonOnlyMaxLexemes({ common: common.size, lexemes: lexemes.length, bar });
  const rest = await pgFullTextSearch(db, { ...scope, matching: [...common], maxLexemes });
  const seen = new Set(first.map((h) => h.id));
  return [...first, ...rest.filter((h) => !seen.has(h.id))]
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, scope.limit);
}

/**
 * The most distinct lexemes a chunk holding only `common` of the query's `lexemes` may have and still
 * score `bar`. ts_rank (OR query, weight D = 0.1, normalisation 1) gives each query lexeme in the chunk
 * less than 0.1, divides by the number of query lexemes and by log2(1 + positions), and a chunk has at
 * least as many positions as distinct lexemes: score < 0.1 · common / lexemes / log2(1 + distinct).
 * 1 % of slack covers ts_rank's float4 arithmetic.
 */
export function commonOnlyMaxLexemes(opts: { common: number; lexemes: number; bar: number }): number {
  const exponent = ((0.1 * opts.common) / opts.lexemes / opts.bar) * 1.01;
  if (!(opts.bar > 0) || exponent >= 31) return 2 ** 31 - 1;
  return Math.floor(2 ** exponent);
}

const caches = new WeakMap<object, VectorCache>();

function cacheFor(db: Db): VectorCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new VectorCache()));
  return cache;
}

function storeSource(db: Db, tenantId: string, vectorStoreId: string, dims: number): VectorSource {
  const key = { tenantId, vectorStoreId };
  return {
    dims,
    stamp: () => pgChunkStamp(db, key),
    ids: () => pgChunkIds(db, { ...key, dims }),
    load: (ids) => pgChunkEmbeddings(db, key, ids),
  };
}

/** The nearest chunks by cosine similarity, exact: each store's vectors scanned from the cache. */
export async function pgVectorSearch(db: Db, scope: SearchScope & { vector: Float32Array }): Promise<RankedChunk[]> {
  const dims = scope.vector.length;
  const cache = cacheFor(db);
  const scored: { id: number; score: number }[] = [];
  for (const vectorStoreId of new Set(scope.vectorStoreIds)) {
    const key = `${scope.tenantId}\u0000${vectorStoreId}\u0000${dims}`;
    const vectors = await cache.get(key, storeSource(db, scope.tenantId, vectorStoreId, dims));
    scored.push(...nearest(vectors, scope.vector, scope.limit));
  }
  const top = scored.sort((a, b) => b.score - a.score).slice(0, scope.limit);
  if (top.length === 0) return [];
  const rows = await pgChunkRefs(db, scope.tenantId, top.map((t) => t.id));
  const byId = new Map(rows.map((r) => [r.id, r]));
  // A chunk deleted since the cache was checked is dropped.
  return top.flatMap(({ id, score }) => {
    const row = byId.get(id);
    return row ? [{ ...row, score }] : [];
  });
}
