import { compiledInsert, compiledQuery } from '../compiled-query.js';
import type { Db } from '../database.js';
import type { NewResponseRow, ResponseRow } from '../tables/responses.table.js';
import { TERMINAL_RUN_STATUSES } from '../../engine/run-state.js';
import type { NewThreadRow, ThreadRow } from '../tables/threads.table.js';

/** Responses, scoped to one tenant: another tenant's response is simply not there. */

/** Inserted for every response: compiled once per column set (store/compiled-query.ts). */
export const insertResponse: (db: Db, row: NewResponseRow) => Promise<ResponseRow> = compiledInsert((db, row: NewResponseRow) =>
  db.insertInto('responses').values(row).returningAll(),
);

export function findResponse(db: Db, tenantId: string, id: string): Promise<ResponseRow | undefined> {
  return db.selectFrom('responses').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** The newest response on the thread: the one a chain continues from. */
export function findLatestResponseOnThread(db: Db, threadId: string): Promise<ResponseRow | undefined> {
  return db.selectFrom('responses').selectAll().where('thread_id', '=', threadId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

/** The response that continued `previous` on its thread (the first one after it), if any. */
export function findNextResponseOnThread(db: Db, previous: ResponseRow): Promise<ResponseRow | undefined> {
  return db
    .selectFrom('responses')
    .selectAll()
    .where('thread_id', '=', previous.thread_id)
    .where('seq', '>', previous.seq)
    .orderBy('seq', 'asc')
    .limit(1)
    .executeTakeFirst();
}

/** The thread a response ran on, hidden or not. */
export function findResponseThread(db: Db, row: ResponseRow): Promise<ThreadRow> {
  return db
    .selectFrom('threads')
    .selectAll()
    .where('tenant_id', '=', row.tenant_id)
    .where('id', '=', row.thread_id)
    .executeTakeFirstOrThrow();
}

/** A response's own thread, which the threads and conversations APIs never show. */
const insertThread = compiledInsert((db, row: NewThreadRow) => db.insertInto('threads').values(row).returningAll());

export function insertHiddenThread(db: Db, row: Omit<NewThreadRow, 'hidden'>): Promise<ThreadRow> {
  return insertThread(db, { ...row, hidden: 1 });
}

/** The response's row; its hidden thread (with its items, run and steps, by cascade) when no other response is on it. */
export async function deleteResponseRow(db: Db, row: ResponseRow): Promise<void> {
  await deleteResponse(db, { id: row.id });
  // A `store: false` response outside a chain or conversation ran on a hidden thread of its own, which no other
  // response can continue (an unstored one is no previous_response_id): the thread goes, and its run by cascade.
  if (row.store === 0 && row.previous_response_id === null && row.conversation_id === null)
    return void (await deleteHiddenThread(db, row));
  const others = await db.selectFrom('responses').select('id').where('thread_id', '=', row.thread_id).limit(1).execute();
  if (others.length === 0) await deleteHiddenThread(db, row);
  await db.deleteFrom('runs').where('id', '=', row.run_id).execute();
}

// Compiled once: every store:false response ends with these two.
const deleteResponse = compiledQuery((db, p: { id: string }) => db.deleteFrom('responses').where('id', '=', p.id));
const deleteThread = compiledQuery((db, p: { threadId: string; tenantId: string }) =>
  db.deleteFrom('threads').where('id', '=', p.threadId).where('tenant_id', '=', p.tenantId).where('hidden', '=', 1),
);
const deleteHiddenThread = (db: Db, row: ResponseRow) => deleteThread(db, { threadId: row.thread_id, tenantId: row.tenant_id });

/** The response a run does the work of, if any (an Assistants run has none). */
export function findResponseByRun(db: Db, runId: string): Promise<ResponseRow | undefined> {
  return db.selectFrom('responses').selectAll().where('run_id', '=', runId).executeTakeFirst();
}

/**
 * `background: true, store: false` responses whose run ended at or before `endedBy`
 * (unix seconds: the run's completed_at, failed_at or cancelled_at; its start, or its creation, for an end that keeps
 * no time), oldest first, at most `limit`. The index responses_store_background_created serves the first three
 * conditions: a response that ended by then was created by then.
 */
export function listLapsedUnstoredResponses(db: Db, opts: { endedBy: number; limit: number }): Promise<ResponseRow[]> {
  return lapsedUnstoredQuery(db, opts).execute();
}

/** listLapsedUnstoredResponses's query (its index is checked by responses-lapse-index.test.ts). */
export function lapsedUnstoredQuery(db: Db, opts: { endedBy: number; limit: number }) {
  return db
    .selectFrom('responses')
    .innerJoin('runs', 'runs.id', 'responses.run_id')
    .selectAll('responses')
    .where('responses.store', '=', 0)
    .where('responses.background', '=', 1)
    .where('responses.created_at', '<=', opts.endedBy)
    .where('runs.status', 'in', TERMINAL_RUN_STATUSES)
    .where(
      (eb) => eb.fn.coalesce('runs.completed_at', 'runs.failed_at', 'runs.cancelled_at', 'runs.started_at', 'runs.created_at'),
      '<=',
      opts.endedBy,
    )
    .orderBy('responses.created_at')
    .orderBy('responses.id')
    .limit(opts.limit);
}
