import { SqliteAdapter, type Kysely } from 'kysely';

/**
 * Issue 15 item 2, keyword search at scale. SQLite's FTS5 query joins every match to `chunks` to keep only
 * the caller's tenant and vector stores: through the rowid, that reads one wide row (text and embedding,
 * ~6 kB, one page each) per match, about half the query's time at 100k chunks. This narrow covering index
 * answers the same join from a few MB of index pages (repos/chunks-sqlite.repo.ts names it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await db.schema.createIndex('chunks_id_scope').on('chunks').columns(['id', 'tenant_id', 'vector_store_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await db.schema.dropIndex('chunks_id_scope').execute();
}
