// SQLite side of the chunk index: FTS5 (bm25) for keywords, sqlite-vec vec0 KNN for vectors.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import type { RankedChunk, SearchScope } from './types.js';

/**
 * vec0 keeps vectors in blocks of `chunk_size` per partition, allocated whole: the default (1024)
 * costs 2 MB on disk for a 512-d store with a single chunk; 128 costs 256 kB and searches as fast.
 */
const VEC_CHUNK_SIZE = 128;

function vecTable(dims: number): string {
  if (!Number.isInteger(dims) || dims < 1 || dims > 8192) {
    throw new RangeError(`Unsupported vector dimensions: ${dims}`);
  }
  return `chunk_vec_${dims}`;
}

/**
 * Creates the vec0 table for `dims` and the triggers that keep it in step with `chunks` (rowid =
 * chunks.id), once per dimension. Partitioned by tenant and vector store, so a KNN search only
 * scans one store's vectors.
 */
export async function ensureSqliteVectorTable(db: Db, dims: number): Promise<void> {
  const table = sql.table(vecTable(dims));
  const trigger = (suffix: string) => sql.id(`${vecTable(dims)}_${suffix}`);
  const size = sql.raw(String(dims));
  await sql`create virtual table if not exists ${table} using vec0(
    tenant_id text partition key, vector_store_id text partition key,
    embedding float[${size}] distance_metric=cosine, chunk_size=${sql.raw(String(VEC_CHUNK_SIZE))})`.execute(db);
  await sql`create trigger if not exists ${trigger('ai')} after insert on chunks when new.dims = ${size} begin
    insert into ${table}(rowid, tenant_id, vector_store_id, embedding)
    values (new.id, new.tenant_id, new.vector_store_id, new.embedding); end`.execute(db);
  await sql`create trigger if not exists ${trigger('ad')} after delete on chunks when old.dims = ${size} begin
    delete from ${table} where rowid = old.id; end`.execute(db);
}

async function hasVectorTable(db: Db, dims: number): Promise<boolean> {
  const { rows } = await sql`select 1 from sqlite_master where type = 'table' and name = ${vecTable(dims)}`.execute(db);
  return rows.length > 0;
}

/** PostgreSQL's English stop words (snowball): too common to rank by, and slow to match. */
const STOP_WORDS = new Set(
  ('i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself ' +
    'it its itself they them their theirs themselves what which who whom this that these those am is are was were be ' +
    'been being have has had having do does did doing a an the and but if or because as until while of at by for with ' +
    'about against between into through during before after above below to from up down in out on off over under ' +
    'again further then once here there when where why how all any both each few more most other some such no nor not ' +
    'only own same so than too very s t can will just don should now').split(' '),
);

/**
 * An FTS5 query that matches any of the words of `query` but stop words (all of them if that is
 * all there is): each word quoted, so FTS5 syntax in the user's text is inert, and OR-ed; bm25 then
 * favours chunks holding more, and rarer, of them. Undefined when the query has no words.
 */
export function toFtsQuery(query: string, maxTerms = 64): string | undefined {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
  const content = words.filter((w) => !STOP_WORDS.has(w));
  const terms = (content.length > 0 ? content : words).slice(0, maxTerms);
  return terms.length > 0 ? terms.map((w) => `"${w}"`).join(' OR ') : undefined;
}

/** Chunks matching any word of the query, by bm25 (score = -bm25, so higher is better). */
export async function sqliteKeywordSearch(db: Db, scope: SearchScope & { query: string }): Promise<RankedChunk[]> {
  const match = toFtsQuery(scope.query);
  if (!match || scope.vectorStoreIds.length === 0) return [];
  const { rows } = await sql<RankedChunk>`
    select c.id, c.vector_store_id as "vectorStoreId", c.file_id as "fileId", c.chunk_index as "chunkIndex",
      -bm25(chunks_fts) as score
    from chunks_fts join chunks c on c.id = chunks_fts.rowid
    where chunks_fts match ${match} and c.tenant_id = ${scope.tenantId}
      and c.vector_store_id in (${sql.join(scope.vectorStoreIds)})
    order by bm25(chunks_fts) limit ${scope.limit}`.execute(db);
  return rows;
}

/** The nearest chunks by cosine similarity (score = 1 - cosine distance), one KNN per store, merged. */
export async function sqliteVectorSearch(db: Db, scope: SearchScope & { vector: Float32Array }): Promise<RankedChunk[]> {
  const dims = scope.vector.length;
  if (scope.vectorStoreIds.length === 0 || !(await hasVectorTable(db, dims))) return [];
  const table = sql.table(vecTable(dims));
  const query = Buffer.from(scope.vector.buffer, scope.vector.byteOffset, scope.vector.byteLength);
  const hits: RankedChunk[] = [];
  for (const vectorStoreId of new Set(scope.vectorStoreIds)) {
    const { rows } = await sql<RankedChunk>`
      select c.id, c.vector_store_id as "vectorStoreId", c.file_id as "fileId", c.chunk_index as "chunkIndex",
        1 - knn.distance as score
      from (select rowid, distance from ${table}
            where embedding match ${query} and k = ${scope.limit}
              and tenant_id = ${scope.tenantId} and vector_store_id = ${vectorStoreId}) knn
      join chunks c on c.id = knn.rowid
      order by knn.distance`.execute(db);
    hits.push(...rows);
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, scope.limit);
}
