import type { Kysely } from 'kysely';

/**
 * Conversations (issue 12): a conversation is a thread, its message items are the thread's messages. The other
 * item types (function_call, function_call_output, file_search_call, reasoning…) live in conversation_items,
 * ordered by the same seq as messages so both interleave. messages.item_content keeps a message item's Responses
 * content parts as given (input_file, input_image detail…), which the Assistants `content` column cannot hold.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversation_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('response_id', 'text')
    .execute();
  await db.schema.createIndex('conversation_items_thread_seq').on('conversation_items').columns(['thread_id', 'seq']).execute();
  await db.schema.alterTable('messages').addColumn('item_content', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('item_content').execute();
  await db.schema.dropTable('conversation_items').execute();
}
