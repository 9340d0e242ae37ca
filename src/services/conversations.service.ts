import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import type { Db } from '../store/database.js';
import { toJson } from '../store/json.js';
import { deleteThreadRow, findThread, insertThread, updateThreadRow } from '../store/repos/threads.repo.js';
import { nextSeq } from '../store/seq.js';
import type { ThreadRow } from '../store/tables/threads.table.js';
import { appendItems, resolveItemReferences } from './conversation-items-append.js';
import { itemFileIds, type ConversationItemParams } from './conversation-items-input.js';
import { checkReferencedIds } from './referenced-ids.js';

/**
 * The Conversations API over threads: a conversation IS a thread (one row, one id). conversations.create makes a
 * thread whose id starts `conv_`; a `thread_…` id is a conversation id too, and a `conv_…` id a thread id.
 */
export type ConversationsDeps = Pick<Deps, 'store' | 'clock' | 'ids'>;
export interface ConversationRef {
  tenantId: string;
  threadId: string;
}

/** The tenant's conversation (thread), or 404 "No conversation found with id '…'." */
export async function getConversation(db: Db, tenantId: string, id: string): Promise<ThreadRow> {
  const row = await findThread(db, tenantId, id);
  if (!row) throw notFound('conversation', id);
  return row;
}

/** CreateConversationBody, from the SDK's ConversationCreateParams with items narrowed to what is checked. */
export interface CreateConversationParams {
  items?: readonly ConversationItemParams[] | null;
  metadata?: Record<string, string> | null;
}

/** A new conversation (a thread with a `conv_` id) with its initial items, in one transaction. */
export function createConversation(deps: ConversationsDeps, tenantId: string, params: CreateConversationParams): Promise<ThreadRow> {
  const nowMs = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    await checkReferencedIds(trx, tenantId, itemFileIds(params.items ?? []));
    const items = await resolveItemReferences(trx, tenantId, params.items ?? []);
    const thread = await insertThread(trx, {
      id: deps.ids('conv'),
      tenant_id: tenantId,
      seq: nextSeq(nowMs),
      created_at: Math.floor(nowMs / 1000),
      metadata: toJson(params.metadata ?? {}),
      tool_resources: toJson({}),
    });
    await appendItems(trx, { tenantId, threadId: thread.id, nowMs, ids: deps.ids, items });
    return thread;
  });
}

export function retrieveConversation(deps: ConversationsDeps, ref: ConversationRef): Promise<ThreadRow> {
  return getConversation(deps.store.db, ref.tenantId, ref.threadId);
}

/** Replaces the metadata; `null` empties it. */
export async function updateConversation(
  deps: ConversationsDeps,
  ref: ConversationRef,
  params: { metadata: Record<string, string> | null },
): Promise<ThreadRow> {
  const row = await updateThreadRow(deps.store.db, ref.tenantId, ref.threadId, { metadata: toJson(params.metadata ?? {}) });
  if (!row) throw notFound('conversation', ref.threadId);
  return row;
}

/** Deletes what deleting the thread deletes: its messages, other items, runs and run steps. */
export async function deleteConversation(deps: ConversationsDeps, ref: ConversationRef): Promise<void> {
  if (!(await deleteThreadRow(deps.store.db, ref.tenantId, ref.threadId))) throw notFound('conversation', ref.threadId);
}
