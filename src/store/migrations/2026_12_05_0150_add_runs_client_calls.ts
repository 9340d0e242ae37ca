import type { Kysely } from 'kysely';

/**
 * runs.client_calls (issue 12): what a run does when the model calls functions the server does not run (the
 * client's). `wait` (the Assistants API): requires_action until the client submits the outputs. `end` (the
 * Responses API): the calls are recorded as function_call items of the thread and the run completes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('runs')
    .addColumn('client_calls', 'text', (c) => c.notNull().defaultTo('wait'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('client_calls').execute();
}
