import type { Kysely } from 'kysely';

/**
 * Issue 14 item 2, rate limits: `project_rate_limits` holds a project's limits per model (0 = none);
 * `rate_limit_counters` the windows' counts when several instances share a PostgreSQL database.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('project_rate_limits')
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('max_requests_per_1_minute', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_tokens_per_1_minute', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_requests_per_1_day', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_rate_limits_pk', ['project_id', 'model'])
    .execute();
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_start', 'integer', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counters_pk', ['key', 'window_start'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').execute();
  await db.schema.dropTable('project_rate_limits').execute();
}
