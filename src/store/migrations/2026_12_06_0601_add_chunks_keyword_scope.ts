import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * Issue 15 item 2, keyword search at scale.
 * - SQLite: the FTS5 query joins every match to `chunks` to keep only the caller's tenant and vector stores;
 *   through the rowid that reads one wide row (text and embedding, ~6 kB) per match, about half the query's
 *   time at 100k chunks. This narrow covering index answers the same join from a few MB of index pages
 *   (repos/chunks-sqlite.repo.ts names it).
 * - PostgreSQL: the number of distinct lexemes of each chunk, indexed, so the keyword search can find the
 *   few short chunks that could outrank its bar with common words alone (retrieval/chunk-index.pg.ts)
 *   without reading every chunk that holds one. ANALYZE gives the planner its statistics at once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await db.schema.createIndex('chunks_id_scope').on('chunks').columns(['id', 'tenant_id', 'vector_store_id']).execute();
    return;
  }
  await db.schema.createIndex('chunks_tsv_length').on('chunks').expression(sql`length(text_tsv)`).execute();
  await sql`analyze chunks`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.dropIndex(sqlite ? 'chunks_id_scope' : 'chunks_tsv_length').execute();
}
