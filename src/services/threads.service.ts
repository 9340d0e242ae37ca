import type { ThreadCreateParams, ThreadUpdateParams } from 'openai/resources/beta/threads/threads';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Db } from '../store/database.js';
import { toJson } from '../store/json.js';
import { deleteThreadRow, findThread, insertThread, updateThreadRow } from '../store/repos/threads.repo.js';
import { nextSeq } from '../store/seq.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { ThreadRow, ThreadUpdate } from '../store/tables/threads.table.js';
import { toolResourcesColumn } from './assistants.service.js';
import { insertUserMessages } from './messages.service.js';
import { checkReferencedIds, messagesIds, toolResourcesIds, type ReferencedIds } from './referenced-ids.js';

export type ThreadsDeps = Pick<Deps, 'store' | 'clock' | 'ids'>;
export interface ThreadRef {
  tenantId: string;
  threadId: string;
}

/** The tenant's thread, or 404 "No thread found with id '…'." */
export async function getThread(db: Db, tenantId: string, threadId: string): Promise<ThreadRow> {
  const row = await findThread(db, tenantId, threadId);
  if (!row) throw notFound('thread', threadId);
  return row;
}

/** The files and vector stores a new thread refers to; `param` is where the thread is in the request (createAndRun: `thread`). */
export function threadIds(params: ThreadCreateParams, param = ''): ReferencedIds[] {
  const at = (field: string) => (param ? `${param}.${field}` : field);
  return [toolResourcesIds(params.tool_resources, at('tool_resources')), messagesIds(params.messages, at('messages'))];
}

/**
 * Inserts a thread and its initial messages (in order). Checks nothing: check threadIds() first, and pass a
 * transaction: createThread and createThreadAndRun both call this inside one.
 */
export async function insertThreadWithMessages(
  db: Db,
  opts: { tenantId: string; nowMs: number; ids: IdGenerator; params: ThreadCreateParams },
): Promise<{ thread: ThreadRow; messages: MessageRow[] }> {
  const { tenantId, nowMs, ids, params } = opts;
  const thread = await insertThread(db, {
    id: ids('thread'),
    tenant_id: tenantId,
    seq: nextSeq(nowMs),
    created_at: Math.floor(nowMs / 1000),
    metadata: toJson(params.metadata ?? {}),
    tool_resources: toolResourcesColumn(params.tool_resources),
  });
  const messages = await insertUserMessages(db, {
    tenantId,
    threadId: thread.id,
    nowMs,
    ids,
    messages: params.messages ?? [],
  });
  return { thread, messages };
}

export function createThread(
  deps: ThreadsDeps,
  tenantId: string,
  params: ThreadCreateParams,
): Promise<{ thread: ThreadRow; messages: MessageRow[] }> {
  const nowMs = deps.clock.now();
  return deps.store.db
    .transaction()
    .execute(async (trx) => {
      await checkReferencedIds(trx, tenantId, ...threadIds(params));
      return insertThreadWithMessages(trx, { tenantId, nowMs, ids: deps.ids, params });
    });
}

export function retrieveThread(deps: ThreadsDeps, ref: ThreadRef): Promise<ThreadRow> {
  return getThread(deps.store.db, ref.tenantId, ref.threadId);
}

/** Changes metadata and/or tool_resources; `null` empties either. */
export async function updateThread(deps: ThreadsDeps, ref: ThreadRef, params: ThreadUpdateParams): Promise<ThreadRow> {
  const patch: ThreadUpdate = {};
  if (params.metadata !== undefined) patch.metadata = toJson(params.metadata ?? {});
  if (params.tool_resources !== undefined) patch.tool_resources = toolResourcesColumn(params.tool_resources);
  if (Object.keys(patch).length === 0) return retrieveThread(deps, ref);
  await checkReferencedIds(deps.store.db, ref.tenantId, toolResourcesIds(params.tool_resources));
  const row = await updateThreadRow(deps.store.db, ref.tenantId, ref.threadId, patch);
  if (!row) throw notFound('thread', ref.threadId);
  return row;
}

/** Deletes the thread with its messages, runs and run steps. */
export async function deleteThread(deps: ThreadsDeps, ref: ThreadRef): Promise<void> {
  if (!(await deleteThreadRow(deps.store.db, ref.tenantId, ref.threadId))) throw notFound('thread', ref.threadId);
}
