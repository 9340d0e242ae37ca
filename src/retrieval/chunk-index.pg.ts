// PostgreSQL side of the chunk index: full text (tsvector + GIN) for keywords, an exact scan for vectors.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { RankedChunk, SearchScope } from './types.js';
import { VectorCache, nearest, type VectorSource } from './vector-cache.js';

/**
 * Chunks matching any word of the query (its lexemes OR-ed), by ts_rank normalised by document
 * length (rank / (1 + log length)); ts_rank_cd ranks OR queries ~8× slower.
 */
export async function pgKeywordSearch(db: Db, scope: SearchScope & { query: string }): Promise<RankedChunk[]> {
  if (scope.vectorStoreIds.length === 0 || scope.query.trim() === '') return [];
  // plainto_tsquery parses any text safely (stemming, stop words) but ANDs the words; OR them instead.
  const { rows } = await sql<RankedChunk>`
    with q as (select replace(plainto_tsquery('english', ${scope.query})::text, ' & ', ' | ')::tsquery as q)
    select c.id, c.vector_store_id as "vectorStoreId", c.file_id as "fileId", c.chunk_index as "chunkIndex",
      ts_rank(c.text_tsv, q.q, 1) as score
    from chunks c, q
    where c.text_tsv @@ q.q and c.tenant_id = ${scope.tenantId}
      and c.vector_store_id = any(${[...scope.vectorStoreIds]}::text[])
    order by score desc, c.id
    limit ${scope.limit}`.execute(db);
  return rows;
}

const caches = new WeakMap<object, VectorCache>();

function cacheFor(db: Db): VectorCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new VectorCache()));
  return cache;
}

function storeSource(db: Db, tenantId: string, vectorStoreId: string, dims: number): VectorSource {
  const store = sql`c.vector_store_id = ${vectorStoreId} and c.tenant_id = ${tenantId}`;
  return {
    dims,
    stamp: async () => {
      const { rows } = await sql<{ n: number; mx: number; s: number }>`
        select count(*)::int as n, coalesce(max(c.id), 0) as mx, coalesce(sum(c.id), 0) as s
        from chunks c where ${store}`.execute(db);
      const { n, mx, s } = rows[0]!;
      return `${n}:${mx}:${s}`;
    },
    ids: async () => {
      const { rows } = await sql<{ id: number }>`
        select c.id from chunks c where ${store} and c.dims = ${dims} order by c.id`.execute(db);
      return rows.map((r) => r.id);
    },
    load: async (ids) => {
      const out = new Map<number, Uint8Array>();
      for (let i = 0; i < ids.length; i += 5000) {
        // base64 text decodes ~2× faster in Node than bytea's hex.
        const { rows } = await sql<{ id: number; b64: string }>`
          select c.id, encode(c.embedding, 'base64') as b64 from chunks c
          where c.id = any(${ids.slice(i, i + 5000)}::bigint[]) and ${store}`.execute(db);
        for (const row of rows) out.set(row.id, Buffer.from(row.b64, 'base64'));
      }
      return out;
    },
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
  const { rows } = await sql<Omit<RankedChunk, 'score'>>`
    select c.id, c.vector_store_id as "vectorStoreId", c.file_id as "fileId", c.chunk_index as "chunkIndex"
    from chunks c where c.id = any(${top.map((t) => t.id)}::bigint[]) and c.tenant_id = ${scope.tenantId}`.execute(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  // A chunk deleted since the cache was checked is dropped.
  return top.flatMap(({ id, score }) => {
    const row = byId.get(id);
    return row ? [{ ...row, score }] : [];
  });
}
