import { SqliteAdapter, sql, type Kysely } from 'kysely';

/**
 * file_search chunks: text, token count and embedding (little-endian float32 bytes) per chunk.
 * SQLite adds an FTS5 index kept in sync by triggers; its vec0 tables (`chunk_vec_<dims>`) are
 * created on first use by retrieval/chunk-index.sqlite.ts, since a vec0 table has fixed dimensions.
 * PostgreSQL adds a generated tsvector with a GIN index; vectors are scanned exactly.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  let table = db.schema
    .createTable('chunks')
    .addColumn('id', sqlite ? 'integer' : 'bigint', (c) =>
      sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity(),
    )
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('vector_store_id', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('chunk_index', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('tokens', 'integer', (c) => c.notNull())
    .addColumn('embedding', sqlite ? 'blob' : 'bytea', (c) => c.notNull())
    .addColumn('dims', 'integer', (c) => c.notNull());
  if (!sqlite) {
    table = table.addColumn('text_tsv', sql`tsvector`, (c) =>
      c.generatedAlwaysAs(sql`to_tsvector('english', text)`).stored(),
    );
  }
  await table.execute();
  await db.schema.createIndex('chunks_store_file').on('chunks').columns(['vector_store_id', 'file_id']).execute();

  if (sqlite) {
    await sql`create virtual table chunks_fts using fts5(
      text, content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')`.execute(db);
    await sql`create trigger chunks_fts_ai after insert on chunks begin
      insert into chunks_fts(rowid, text) values (new.id, new.text); end`.execute(db);
    await sql`create trigger chunks_fts_ad after delete on chunks begin
      insert into chunks_fts(chunks_fts, rowid, text) values ('delete', old.id, old.text); end`.execute(db);
    await sql`create trigger chunks_fts_au after update of text on chunks begin
      insert into chunks_fts(chunks_fts, rowid, text) values ('delete', old.id, old.text);
      insert into chunks_fts(rowid, text) values (new.id, new.text); end`.execute(db);
    return;
  }
  await db.schema.createIndex('chunks_text_tsv').on('chunks').using('gin').column('text_tsv').execute();
  // Index-only scans for the vector cache's freshness check (count, max and sum of ids per store).
  await db.schema
    .createIndex('chunks_store_tenant_id')
    .on('chunks')
    .columns(['vector_store_id', 'tenant_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    const { rows } = await sql<{ name: string }>`select name from sqlite_master
      where type = 'table' and name like 'chunk_vec_%' and sql like 'CREATE VIRTUAL TABLE%'`.execute(db);
    for (const { name } of rows) await sql`drop table ${sql.table(name)}`.execute(db);
    await sql`drop table chunks_fts`.execute(db);
  }
  await db.schema.dropTable('chunks').execute(); // drops its indexes and triggers
}
