import type { Kysely } from 'kysely';

/**
 * The Responses API (issue 12): a response is a run (its work, executed by the run engine) plus this row, which
 * keeps what the run does not — the request's echo fields, its input items, store/background and its place in a
 * chain. A response without a conversation runs on a hidden thread of its own, which the threads and
 * conversations APIs never show and which goes with the response.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('api_key_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('previous_response_id', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('input_item_ids', 'text', (c) => c.notNull())
    .addColumn('store', 'integer', (c) => c.notNull())
    .addColumn('background', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('responses_thread_seq').on('responses').columns(['thread_id', 'seq']).execute();
  await db.schema.alterTable('threads').addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('threads').dropColumn('hidden').execute();
  await db.schema.dropTable('responses').execute();
}
