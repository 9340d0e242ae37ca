import { sql, type Kysely } from 'kysely';

/**
 * Usage other than chat tokens: per-minute counters of embeddings tokens, file_search calls and
 * code_interpreter sessions (usage_meters), and samples of the tenants' vector store bytes
 * (vector_store_storage), which GB-day costs are computed from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_meters')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('meter', 'text', (c) => c.notNull())
    .addColumn('api_key_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('bucket_start', 'bigint', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('num_requests', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', sql`double precision`, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_meters_pk', ['tenant_id', 'bucket_start', 'meter', 'api_key_id', 'subject'])
    .execute();
  await db.schema
    .createTable('vector_store_storage')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('bucket_start', 'bigint', (c) => c.notNull())
    .addColumn('seconds', 'bigint', (c) => c.notNull())
    .addColumn('usage_bytes', 'bigint', (c) => c.notNull())
    .addColumn('cost_usd', sql`double precision`, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('vector_store_storage_pk', ['tenant_id', 'bucket_start'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('vector_store_storage').execute();
  await db.schema.dropTable('usage_meters').execute();
}
