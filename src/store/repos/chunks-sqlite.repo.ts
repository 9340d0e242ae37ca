// SQLite side of the chunk index: FTS5 (bm25) for keywords, sqlite-vec vec0 KNN for vectors.
import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { ChunkScope, RankedChunk } from './chunks.repo.js';

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

export async function hasSqliteVectorTable(db: Db, dims: number): Promise<boolean> {
  const { rows } = await sql`select 1 from sqlite_master where type = 'table' and name = ${vecTable(dims)}`.execute(db);
  return rows.length > 0;
}

/**
 * Chunks matching the FTS5 query `match`, by bm25 (score = -bm25, so higher is better). Every match is
 * scored and checked against the scope; the check reads the narrow covering index `chunks_id_scope`
 * (migration 2026_12_06_0601), which the planner would not pick over the rowid, instead of each match's
 * wide row. Only the `limit` best are then joined to the table for their file and index.
 */
export async function sqliteFtsSearch(
  db: Db,
  scope: ChunkScope & { match: string; candidates?: string },
): Promise<RankedChunk[]> {
  const stores = sql.join(scope.vectorStoreIds);
  // With `candidates`, bm25 (of the whole `match`) is computed only for the in-scope chunks matching
  // `candidates`; `+` keeps SQLite from handing the IN to FTS5 as rowid lookups (a bm25 set-up each).
  const ranked = scope.candidates
    ? sql`select chunks_fts.rowid as id, -bm25(chunks_fts) as score from chunks_fts
          where chunks_fts match ${scope.match}
            and +chunks_fts.rowid in (select f.rowid from chunks_fts f join chunks s indexed by chunks_id_scope on s.id = f.rowid
              where f.chunks_fts match ${scope.candidates} and s.tenant_id = ${scope.tenantId} and s.vector_store_id in (${stores}))`
    : sql`select s.id, -bm25(chunks_fts) as score
          from chunks_fts join chunks s indexed by chunks_id_scope on s.id = chunks_fts.rowid
          where chunks_fts match ${scope.match} and s.tenant_id = ${scope.tenantId} and s.vector_store_id in (${stores})`;
  const { rows } = await sql<RankedChunk>`
    select c.id, c.vector_store_id as "vectorStoreId", c.file_id as "fileId", c.chunk_index as "chunkIndex", top.score
    from (${ranked} order by bm25(chunks_fts) limit ${scope.limit}) top
    join chunks c on c.id = top.id
    order by top.score desc`.execute(db);
  return rows;
}

/**
 * The keyword index's state in one statement: the highest chunk id (at least the number of rows FTS5 counts: ids
 * are positive and unique) and FTS5's structure record (`chunks_fts_data` row 10, hex), which every transaction
 * that changes the index rewrites (a new segment, or a merge); while it is the same, so is every term's
 * document frequency.
 */
export async function sqliteFtsState(db: Db): Promise<{ rows: number; structure: string }> {
  const { rows } = await sql<{ rows: number | null; structure: string | null }>`
    select (select max(id) from chunks) as rows, (select hex(block) from chunks_fts_data where id = 10) as structure`.execute(db);
  return { rows: Number(rows[0]?.rows ?? 0), structure: rows[0]?.structure ?? '' };
}

/**
 * How many chunks the vector stores hold, counted only up to `cap` (a count of `cap` means at least that many): read
 * from the narrow index on (vector_store_id, file_id) alone. Store ids are unique across tenants, and the count only
 * steers how a scope is searched; the search itself checks the tenant.
 */
export async function sqliteCountStoreChunks(db: Db, opts: { vectorStoreIds: readonly string[]; cap: number }): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from chunks indexed by chunks_store_file
    where vector_store_id in (${sql.join(opts.vectorStoreIds)}) limit ${opts.cap})`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * How many chunks hold each of `terms` (FTS5 terms): bm25's document frequencies, in one statement; with `cap`,
 * counted only up to it (a count of `cap` means at least that many).
 */
export async function sqliteFtsDocCounts(db: Db, terms: readonly string[], cap?: number): Promise<number[]> {
  if (terms.length === 0) return [];
  const counts = terms.map((t, i) =>
    cap === undefined
      ? sql`select ${i} as i, count(*) as n from chunks_fts where chunks_fts match ${t}`
      : sql`select ${i} as i, count(*) as n from (select 1 from chunks_fts where chunks_fts match ${t} limit ${cap})`,
  );
  const { rows } = await sql<{ i: number; n: number }>`${sql.join(counts, sql` union all `)}`.execute(db);
  const out = new Array<number>(terms.length).fill(0);
  for (const r of rows) out[r.i] = Number(r.n);
  return out;
}

/**
 * The `limit` best chunks of the whole index matching `match`, by bm25 (score = -bm25), each with whether it lies
 * in the scope: the scope is checked on these few rows only (through the narrow covering index), not on every
 * match, so the caller must fall back to sqliteFtsSearch when fewer than it needs are in scope.
 */
export async function sqliteFtsTop(
  db: Db,
  scope: Omit<ChunkScope, 'limit'> & { match: string; limit: number },
): Promise<Array<{ id: number; score: number; inScope: number }>> {
  const { rows } = await sql<{ id: number; score: number; inScope: number }>`
    select top.id, top.score, (s.tenant_id = ${scope.tenantId} and s.vector_store_id in (${sql.join(scope.vectorStoreIds)})) as "inScope"
    from (select rowid as id, -bm25(chunks_fts) as score from chunks_fts where chunks_fts match ${scope.match}
          order by score desc limit ${scope.limit}) top
    join chunks s indexed by chunks_id_scope on s.id = top.id
    order by top.score desc, top.id`.execute(db);
  return rows;
}

/**
 * bm25 (score = -bm25) of `match` for those of `ids` that match it, in one pass over its matches (`+` keeps SQLite
 * from handing the ids to FTS5 as lookups, each with its own bm25 set-up).
 */
export async function sqliteFtsScores(db: Db, opts: { match: string; ids: readonly number[] }): Promise<Array<{ id: number; score: number }>> {
  if (opts.ids.length === 0) return [];
  const { rows } = await sql<{ id: number; score: number }>`
    select rowid as id, -bm25(chunks_fts) as score from chunks_fts
    where chunks_fts match ${opts.match} and +rowid in (select value from json_each(${JSON.stringify(opts.ids)}))`.execute(db);
  return rows;
}

/**
 * The `limit` chunks of one store nearest to `vector` (score = 1 - cosine distance), nearest first;
 * the vec0 table for its dimensions must exist (hasSqliteVectorTable).
 */
export async function sqliteVectorKnn(
  db: Db,
  opts: { tenantId: string; vectorStoreId: string; vector: Float32Array; limit: number },
): Promise<RankedChunk[]> {
  const table = sql.table(vecTable(opts.vector.length));
  const query = Buffer.from(opts.vector.buffer, opts.vector.byteOffset, opts.vector.byteLength);
  const { rows } = await sql<RankedChunk>`
    select c.id, c.vector_store_id as "vectorStoreId", c.file_id as "fileId", c.chunk_index as "chunkIndex",
      1 - knn.distance as score
    from (select rowid, distance from ${table}
          where embedding match ${query} and k = ${opts.limit}
            and tenant_id = ${opts.tenantId} and vector_store_id = ${opts.vectorStoreId}) knn
    join chunks c on c.id = knn.rowid
    order by knn.distance`.execute(db);
  return rows;
}
