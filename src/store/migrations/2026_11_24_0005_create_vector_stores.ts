import type { Kysely } from 'kysely';

/**
 * Vector stores, the files attached to them (one row per store and file, keyed by the file's id) and file
 * batches. A file's chunks live in the chunk index (0004); the ingestion worker leases in_progress files.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vector_stores')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('description', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('expires_after', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('last_active_at', 'bigint')
    .execute();
  await db.schema.createIndex('vector_stores_tenant_seq').on('vector_stores').columns(['tenant_id', 'seq']).execute();

  await db.schema
    .createTable('vector_store_file_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('vector_store_id', 'text', (c) => c.notNull().references('vector_stores.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('vector_store_files')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('vector_store_id', 'text', (c) => c.notNull().references('vector_stores.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('usage_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('chunking_strategy', 'text', (c) => c.notNull())
    .addColumn('attributes', 'text')
    .addColumn('batch_id', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('vector_store_files_pk', ['vector_store_id', 'id'])
    .execute();
  await db.schema
    .createIndex('vector_store_files_store_seq')
    .on('vector_store_files')
    .columns(['vector_store_id', 'seq'])
    .execute();
  await db.schema.createIndex('vector_store_files_status_seq').on('vector_store_files').columns(['status', 'seq']).execute();
  await db.schema.createIndex('vector_store_files_batch').on('vector_store_files').column('batch_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['vector_store_files', 'vector_store_file_batches', 'vector_stores']) await db.schema.dropTable(t).execute();
}
