// PostgreSQL side of the chunk index: full text (tsvector + GIN) for keywords, an exact scan for vectors.
import type { Db } from '../store/database.js';
import { pgChunkEmbeddings, pgChunkIds, pgChunkRefs, pgChunkStamp, pgFullTextSearch } from '../store/repos/chunks-pg.repo.js';
import type { RankedChunk, SearchScope } from './types.js';
import { VectorCache, nearest, type VectorSource } from './vector-cache.js';

/** Chunks matching any word of the query, by ts_rank (store/repos/chunks-pg.repo.ts). */
export async function pgKeywordSearch(db: Db, scope: SearchScope & { query: string }): Promise<RankedChunk[]> {
  if (scope.vectorStoreIds.length === 0 || scope.query.trim() === '') return [];
  return pgFullTextSearch(db, scope);
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
