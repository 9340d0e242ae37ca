import { sql, type Kysely } from 'kysely';

/**
 * Issue 15 item 1: one row per vector store that ever held chunks, so each instance's in-memory nearest-neighbour
 * index (retrieval/ann-*.ts) can tell with one primary-key read whether the store's chunks changed since it last
 * looked. `version` grows with every insert or delete of the store's chunks, `deletes` with every delete. A writer
 * bumps `version` before inserting, so on PostgreSQL the row lock orders the store's writers: chunk ids are then
 * handed out in commit order within a store, and "ids above the last one seen" is exactly what is new. Stores that
 * already have chunks get their row here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chunk_index_versions')
    .addColumn('vector_store_id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('deletes', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into chunk_index_versions (vector_store_id, tenant_id, version, deletes)
    select vector_store_id, min(tenant_id), 1, 0 from chunks group by vector_store_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('chunk_index_versions').execute();
}
