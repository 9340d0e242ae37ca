// PostgreSQL side of the chunk index: keywords ranked by an in-memory index (keyword-store.pg.ts) or by full text (tsvector + GIN) in SQL; vectors by an exact scan.
import type { Db } from '../store/database.js';
import {
  pgChunkEmbeddings,
  pgChunkIds,
  pgChunkRefs,
  pgChunkStamp,
  pgCommonLexemes,
  pgFullTextSearch,
  pgKeywordProbe,
} from '../store/repos/chunks-pg.repo.js';
import { keywordStoreFor } from './keyword-store.pg.js';
import type { RankedChunk, SearchScope } from './types.js';
import { VectorCache, nearest, type VectorSource } from './vector-cache.js';

/** A lexeme ANALYZE found in at least this share of the chunks is "common": matched last, if at all. */
const COMMON_SHARE = 0.1;

/** More common lexemes than this in one query: the short-chunk pass takes any of them at the loosest bar. */
const MAX_COMMON_GROUPS = 4;

const byScore = (a: RankedChunk, b: RankedChunk) => b.score - a.score || a.id - b.id;

/**
 * Chunks matching any word of the query, by ts_rank (store/repos/chunks-pg.repo.ts): the same top `limit` as the
 * SQL query scoring every match. One statement reads the query's lexemes and the stores' index versions; each
 * store this process has indexed (keyword-store.pg.ts) then ranks in memory, exactly as ts_rank does; the others
 * (not built yet, or small) by SQL (pgPrunedKeywordSearch).
 */
export async function pgKeywordSearch(db: Db, scope: SearchScope & { query: string }): Promise<RankedChunk[]> {
  if (scope.vectorStoreIds.length === 0 || scope.query.trim() === '') return [];
  const probe = await pgKeywordProbe(db, scope);
  if (probe.lexemes.length === 0) return [];
  const hits: RankedChunk[] = [];
  const sqlStores: string[] = [];
  for (const vectorStoreId of new Set(scope.vectorStoreIds)) {
    const row = probe.versions.get(vectorStoreId);
    const found = row && (await keywordStoreFor(db, { tenantId: scope.tenantId, vectorStoreId }).search(db, row, probe.lexemes, scope.limit));
    if (found) hits.push(...found.map((h) => ({ ...h, vectorStoreId })));
    else sqlStores.push(vectorStoreId);
  }
  if (sqlStores.length > 0) hits.push(...(await pgPrunedKeywordSearch(db, { ...scope, vectorStoreIds: sqlStores }, probe.lexemes)));
  return hits.sort(byScore).slice(0, scope.limit);
}

/**
 * The SQL ranking, without scoring every match. ts_rank has no idf: every chunk holding a common word would be
 * read and ranked, a third of the store or more for an everyday word. So, when the query has both rare and
 * common lexemes: rank the chunks holding a rare one (by the whole query); the last of those `limit` sets a
 * bar, and a chunk holding only j of the common lexemes can reach it only when it is short
 * (commonOnlyMaxLexemes); rank those too and keep the best.
 */
export async function pgPrunedKeywordSearch(db: Db, scope: SearchScope & { query: string }, lexemes: readonly string[]): Promise<RankedChunk[]> {
  const common = await pgCommonLexemes(db, lexemes, COMMON_SHARE);
  const rare = lexemes.filter((l) => !common.includes(l));
  if (common.length === 0 || rare.length === 0) return pgFullTextSearch(db, scope);
  const first = await pgFullTextSearch(db, { ...scope, matching: rare.map((l) => [l]) });
  if (first.length < scope.limit) return pgFullTextSearch(db, scope);
  const bar = first[first.length - 1]!.score;
  const hits = new Map(first.map((h) => [h.id, h]));
  const counts = common.length > MAX_COMMON_GROUPS ? [common.length] : common.map((_, i) => i + 1);
  for (const j of counts) {
    const maxLexemes = commonOnlyMaxLexemes({ common: j, lexemes: lexemes.length, bar });
    // At least j of them (any of them, past MAX_COMMON_GROUPS, with the bar of all of them).
    const matching = j === common.length && counts.length === 1 ? common.map((l) => [l]) : subsets(common, j);
    for (const h of await pgFullTextSearch(db, { ...scope, matching, maxLexemes })) hits.set(h.id, h);
  }
  return [...hits.values()].sort(byScore).slice(0, scope.limit);
}

/** Every subset of `items` of size `k`, in order. */
function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  return items.flatMap((item, i) => subsets(items.slice(i + 1), k - 1).map((rest) => [item, ...rest]));
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
