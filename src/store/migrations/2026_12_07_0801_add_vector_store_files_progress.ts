import type { Kysely } from 'kysely';

/**
 * Issue 15 item 4, ingestion progress: a file being indexed stores its chunks a batch at a time, and says how far it
 * got. vector_store_files.chunks_total is the number of chunks of the file once it is extracted and chunked (null
 * before); chunks_indexed how many of them are embedded and stored. The wire object shows both while the file is in
 * progress (serialize-vector-stores.ts: `indexing_progress`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vector_store_files').addColumn('chunks_total', 'integer').execute();
  await db.schema
    .alterTable('vector_store_files')
    .addColumn('chunks_indexed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('vector_store_files').dropColumn('chunks_indexed').execute();
  await db.schema.alterTable('vector_store_files').dropColumn('chunks_total').execute();
}
