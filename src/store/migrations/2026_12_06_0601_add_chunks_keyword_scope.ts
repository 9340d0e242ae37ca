import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Issue 15 item 2, keyword search at scale.
 * - SQLite: the FTS5 query joins every match to `chunks` to keep only the caller's tenant and vector stores;
 *   through the rowid that reads one wide row (text and embedding, ~6 kB) per match, about half the query's
 *   time at 100k chunks. This narrow covering index answers the same join from a few MB of index pages
 *   (repos/chunks-sqlite.repo.ts names it).
 * - PostgreSQL: `text_tsv` (~4.6 kB for an 800-token chunk) was stored out of line in TOAST, so ranking
 *   a match cost a TOAST index lookup and three chunk reads; ts_rank over 6,800 matches took 150 ms, and
 *   ~30 ms with the tsvector in the row (STORAGE MAIN: kept in the row, compressed if need be; the text
 *   and embedding still go out of line). CLUSTER rewrites the existing rows under the new storage (it may
 *   run in the migration's transaction, VACUUM FULL may not); it holds the table for that time.
 *   Then the number of distinct lexemes of each chunk, indexed, so the keyword search finds the few short
 *   chunks that could outrank its bar with common words alone (retrieval/chunk-index.pg.ts) without
 *   reading every chunk that holds one. ANALYZE gives the planner its statistics at once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await db.schema.createIndex('chunks_id_scope').on('chunks').columns(['id', 'tenant_id', 'vector_store_id']).execute();
    return;
  }
  await sql`alter table chunks alter column text_tsv set storage main`.execute(db);
  await sql`cluster chunks using chunks_pkey`.execute(db);
  await db.schema.createIndex('chunks_tsv_length').on('chunks').expression(sql`length(text_tsv)`).execute();
  await sql`analyze chunks`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await db.schema.dropIndex('chunks_id_scope').execute();
    return;
  }
  await db.schema.dropIndex('chunks_tsv_length').execute();
  await sql`alter table chunks alter column text_tsv set storage extended`.execute(db);
}
