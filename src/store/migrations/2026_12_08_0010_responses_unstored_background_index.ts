import type { Kysely } from 'kysely';

/**
 * The sweep of lapsed `background: true, store: false` responses (services/responses-lapse.ts, every minute on every
 * instance) reads them by (store, background, created_at): without this index each sweep reads the whole table. Not a
 * partial index: the values are bound parameters, which SQLite cannot match against a partial index's WHERE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('responses_store_background_created').on('responses').columns(['store', 'background', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('responses_store_background_created').execute();
}
