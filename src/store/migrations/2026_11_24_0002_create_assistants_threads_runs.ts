import { sql, type Kysely } from 'kysely';

/** Assistants API v2 storage. JSON is stored as text so one schema serves SQLite and PostgreSQL. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const real = sql`double precision`;
  await db.schema
    .createTable('assistants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('description', 'text')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('instructions', 'text')
    .addColumn('tools', 'text', (c) => c.notNull())
    .addColumn('tool_resources', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('temperature', real)
    .addColumn('top_p', real)
    .addColumn('response_format', 'text')
    .addColumn('reasoning_effort', 'text')
    .execute();
  await db.schema.createIndex('assistants_tenant_seq').on('assistants').columns(['tenant_id', 'seq']).execute();

  await db.schema
    .createTable('threads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('tool_resources', 'text')
    .execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('assistant_id', 'text')
    .addColumn('run_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('incomplete_details', 'text')
    .addColumn('completed_at', 'bigint')
    .addColumn('incomplete_at', 'bigint')
    .execute();
  await db.schema.createIndex('messages_thread_seq').on('messages').columns(['thread_id', 'seq']).execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id').onDelete('cascade'))
    .addColumn('assistant_id', 'text', (c) => c.notNull())
    .addColumn('api_key_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('instructions', 'text', (c) => c.notNull())
    .addColumn('tools', 'text', (c) => c.notNull())
    .addColumn('tool_resources', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('temperature', real)
    .addColumn('top_p', real)
    .addColumn('max_prompt_tokens', 'bigint')
    .addColumn('max_completion_tokens', 'bigint')
    .addColumn('truncation_strategy', 'text')
    .addColumn('response_format', 'text')
    .addColumn('tool_choice', 'text')
    .addColumn('parallel_tool_calls', 'integer', (c) => c.notNull())
    .addColumn('reasoning_effort', 'text')
    .addColumn('required_action', 'text')
    .addColumn('last_error', 'text')
    .addColumn('incomplete_details', 'text')
    .addColumn('usage', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('started_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('runs_thread_seq').on('runs').columns(['thread_id', 'seq']).execute();
  await db.schema.createIndex('runs_status_seq').on('runs').columns(['status', 'seq']).execute();

  await db.schema
    .createTable('run_steps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('assistant_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('step_details', 'text', (c) => c.notNull())
    .addColumn('tool_outputs', 'text')
    .addColumn('last_error', 'text')
    .addColumn('usage', 'text')
    .addColumn('metadata', 'text')
    .addColumn('expired_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .execute();
  await db.schema.createIndex('run_steps_run_seq').on('run_steps').columns(['run_id', 'seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['run_steps', 'runs', 'messages', 'threads', 'assistants']) await db.schema.dropTable(t).execute();
}
