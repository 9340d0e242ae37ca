import { SqliteAdapter, sql } from 'kysely';
import type { Db } from '../database.js';
import type { ChunkRow, NewChunkRow } from '../tables/chunks.table.js';

// The file_search index's rows on both dialects; the dialect's own searches are in chunks-sqlite.repo.ts and
// chunks-pg.repo.ts. Ranking (fusion, scores, what to ask for) stays in retrieval/chunk-index.ts.

/** Rows per INSERT: 8 columns stay well under SQLite's 32766 and PostgreSQL's 65535 parameters. */
const INSERT_BATCH = 500;

/** Which chunks a search may return: one tenant's, in these vector stores; at most `limit` of them. */
export interface ChunkScope {
  tenantId: string;
  vectorStoreIds: readonly string[];
  limit: number;
}

/** A chunk found by one ranker (keyword or vector), best first; `score` is that ranker's own. */
export interface RankedChunk {
  /** chunks.id */
  id: number;
  vectorStoreId: string;
  fileId: string;
  chunkIndex: number;
  /** keyword: -bm25 (SQLite) or ts_rank (PostgreSQL); vector: cosine similarity. Higher is better. */
  score: number;
}

/** Inserts chunks in batches; returns their ids, in order. */
export async function insertChunks(db: Db, rows: readonly NewChunkRow[]): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    const inserted = await db
      .insertInto('chunks')
      .values(rows.slice(i, i + INSERT_BATCH))
      .returning('id')
      .execute();
    ids.push(...inserted.map((r) => Number(r.id)));
  }
  return ids;
}

/** Deletes a file's chunks from one vector store (SQLite triggers also clear the FTS and vec0 rows). */
export async function deleteFileChunks(db: Db, opts: { vectorStoreId: string; fileId: string }): Promise<number> {
  const result = await db
    .deleteFrom('chunks')
    .where('vector_store_id', '=', opts.vectorStoreId)
    .where('file_id', '=', opts.fileId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes every chunk of a vector store. */
export async function deleteVectorStoreChunks(db: Db, vectorStoreId: string): Promise<number> {
  const result = await db.deleteFrom('chunks').where('vector_store_id', '=', vectorStoreId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The tenant's chunks with these ids (in no particular order): where each is and its text. */
export function findChunkTexts(
  db: Db,
  tenantId: string,
  ids: readonly number[],
): Promise<Array<Pick<ChunkRow, 'id' | 'vector_store_id' | 'file_id' | 'chunk_index' | 'text'>>> {
  if (ids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('chunks')
    .select(['id', 'vector_store_id', 'file_id', 'chunk_index', 'text'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
}

/** One tenant's vector store, and the embedding size a vector index holds. */
export interface ChunkVectorScope {
  tenantId: string;
  vectorStoreId: string;
  dims: number;
}

/**
 * The store's chunks with ids above `afterId`, ascending, at most `limit`: id and embedding bytes. On SQLite
 * through the rowid range (NOT INDEXED: the planner would take chunks_store_file, read every chunk of the store
 * and sort them, for each page; the rowid range reads from `afterId` on and stops at `limit`).
 */
export async function findChunkVectorsAfter(
  db: Db,
  scope: ChunkVectorScope & { afterId: number; limit: number },
): Promise<Array<{ id: number; embedding: Uint8Array }>> {
  if (isSqlite(db)) {
    const { rows } = await sql<{ id: number; embedding: Uint8Array }>`
      select id, embedding from chunks not indexed
      where id > ${scope.afterId} and vector_store_id = ${scope.vectorStoreId} and tenant_id = ${scope.tenantId}
        and dims = ${scope.dims}
      order by id limit ${scope.limit}`.execute(db);
    return rows;
  }
  const rows = await db
    .selectFrom('chunks')
    .select(['id', 'embedding'])
    .where('vector_store_id', '=', scope.vectorStoreId)
    .where('tenant_id', '=', scope.tenantId)
    .where('dims', '=', scope.dims)
    .where('id', '>', scope.afterId)
    .orderBy('id')
    .limit(scope.limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), embedding: r.embedding }));
}

/**
 * The ids of the store's chunks, ascending, whatever their dimensions (findChunkVectorsByIds checks them), from a
 * narrow index rather than the wide rows. On PostgreSQL chunks_store_tenant_id holds the tenant too; SQLite's
 * chunks_store_file does not, so callers first check the store against the tenant (its chunk_index_versions row),
 * and every hit is read back with the tenant (findChunkRefs).
 */
export async function findChunkVectorIds(db: Db, scope: { tenantId: string; vectorStoreId: string }): Promise<number[]> {
  if (isSqlite(db)) {
    const { rows } = await sql<{ id: number }>`
      select id from chunks indexed by chunks_store_file where vector_store_id = ${scope.vectorStoreId} order by id`.execute(db);
    return rows.map((r) => r.id);
  }
  const rows = await db
    .selectFrom('chunks')
    .select('id')
    .where('vector_store_id', '=', scope.vectorStoreId)
    .where('tenant_id', '=', scope.tenantId)
    .orderBy('id')
    .execute();
  return rows.map((r) => Number(r.id));
}

const isSqlite = (db: Db) => db.getExecutor().adapter instanceof SqliteAdapter;

/** The embeddings of these chunks of the store (a chunk deleted meanwhile is missing). */
export async function findChunkVectorsByIds(
  db: Db,
  scope: ChunkVectorScope,
  ids: readonly number[],
): Promise<Array<{ id: number; embedding: Uint8Array }>> {
  const out: Array<{ id: number; embedding: Uint8Array }> = [];
  for (let i = 0; i < ids.length; i += INSERT_BATCH) {
    const rows = await db
      .selectFrom('chunks')
      .select(['id', 'embedding'])
      .where('vector_store_id', '=', scope.vectorStoreId)
      .where('tenant_id', '=', scope.tenantId)
      .where('dims', '=', scope.dims)
      .where('id', 'in', ids.slice(i, i + INSERT_BATCH))
      .execute();
    for (const r of rows) out.push({ id: Number(r.id), embedding: r.embedding });
  }
  return out;
}

/** Where the tenant's chunks with these ids are (a chunk deleted meanwhile is missing). */
export async function findChunkRefs(db: Db, tenantId: string, ids: readonly number[]): Promise<Array<Omit<RankedChunk, 'score'>>> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('chunks')
    .select(['id', 'vector_store_id', 'file_id', 'chunk_index'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), vectorStoreId: r.vector_store_id, fileId: r.file_id, chunkIndex: r.chunk_index }));
}
