import type { Kysely } from 'kysely';

/**
 * Two run options the Responses API brings (issue 12), kept API-neutral on the run:
 * - runs.max_tool_calls: the most calls of the server's own tools (file_search, code_interpreter) the run executes
 *   over all its turns; further calls are ignored and those tools are no longer offered. Null: no limit.
 * - runs.prompt_overflow: what a prompt larger than the model's context does when truncation_strategy does not fit
 *   it: `send` (the default, the Assistants API: the model's own error says so) or `fail` (the run fails with
 *   context_length_exceeded before calling the model: Responses' `truncation: "disabled"`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('max_tool_calls', 'integer').execute();
  await db.schema
    .alterTable('runs')
    .addColumn('prompt_overflow', 'text', (c) => c.notNull().defaultTo('send'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('prompt_overflow').execute();
  await db.schema.alterTable('runs').dropColumn('max_tool_calls').execute();
}
