import type { Kysely } from 'kysely';

/**
 * A background response's stream events (issue 12 item 2): each `response.*` event as it was sent, numbered by its
 * `sequence_number`, so that `GET /v1/responses/{id}?stream=true&starting_after=N` replays them on any instance
 * and after a restart. The primary key keeps a number from being written twice.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('response_events')
    .addColumn('response_id', 'text', (c) => c.notNull())
    .addColumn('sequence_number', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('response_events_pk', ['response_id', 'sequence_number'])
    .execute();
  // The recorder asks, for each run whose events it sees, whether it is a background response's.
  await db.schema.createIndex('responses_run_id').on('responses').column('run_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('responses_run_id').execute();
  await db.schema.dropTable('response_events').execute();
}
