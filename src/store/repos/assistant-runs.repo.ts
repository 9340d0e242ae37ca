import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { RunRow } from '../tables/runs.table.js';

/**
 * The Assistants API's runs of a thread: those with an assistant. A response added to a conversation (a thread) is
 * stored as a run with assistant_id '' (services/responses-create.ts); it is no Assistants run, so lists skip it.
 */
function assistantRuns(db: Db, tenantId: string, threadId: string) {
  return db.selectFrom('runs').where('tenant_id', '=', tenantId).where('thread_id', '=', threadId).where('assistant_id', '!=', '');
}

export function listAssistantRuns(db: Db, tenantId: string, threadId: string, window: SeqWindow): Promise<RunRow[]> {
  return applySeqWindow(assistantRuns(db, tenantId, threadId).selectAll(), 'seq', window).execute();
}

/** A cursor's seq, when it is one of the thread's Assistants runs. */
export async function assistantRunSeq(db: Db, tenantId: string, threadId: string, runId: string): Promise<number | undefined> {
  return (await assistantRuns(db, tenantId, threadId).select('seq').where('id', '=', runId).executeTakeFirst())?.seq;
}
