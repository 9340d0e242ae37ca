import type { MessageContent, MessageCreateParams, MessageUpdateParams } from 'openai/resources/beta/threads/messages';
import type { Deps } from '../deps.js';
import { invalidRequest, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Db } from '../store/database.js';
import { toJson } from '../store/json.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import {
  deleteMessageRow,
  findMessage,
  findMessageSeq,
  insertMessages,
  listMessageRows,
  updateMessageRow,
} from '../store/repos/messages.repo.js';
import { indexFileSearchAttachments } from './thread-file-search.service.js';
import { findActiveRun } from '../store/repos/runs.repo.js';
import { findThread } from '../store/repos/threads.repo.js';
import { nextSeq } from '../store/seq.js';
import { checkReferencedIds, messageIds } from './referenced-ids.js';
import type { MessageRow, NewMessageRow } from '../store/tables/messages.table.js';

/** A message as POST /threads/{id}/messages, CreateThreadRequest.messages and additional_messages take it. */
export type CreateMessageParams = MessageCreateParams;
export type MessagesDeps = Pick<Deps, 'store' | 'clock' | 'ids'>;
export interface ThreadRef {
  tenantId: string;
  threadId: string;
}
export interface MessageRef extends ThreadRef {
  messageId: string;
}

/** Request content → stored MessageContent[]: a string or a `{type:'text', text}` part becomes a text block. */
export function toMessageContent(content: CreateMessageParams['content']): MessageContent[] {
  const text = (value: string): MessageContent => ({ type: 'text', text: { value, annotations: [] } });
  if (typeof content === 'string') return [text(content)];
  return content.map((part) => (part.type === 'text' ? text(part.text) : part));
}

/**
 * Inserts messages written by the caller (not by a run) into a thread, in the given order, in one statement.
 * Checks nothing: pass a transaction and check the thread (and its runs) and the files the messages refer to
 * (checkReferencedIds) first.
 */
export async function insertUserMessages(
  db: Db,
  opts: {
    tenantId: string;
    threadId: string;
    nowMs: number;
    ids: IdGenerator;
    messages: readonly CreateMessageParams[];
  },
): Promise<MessageRow[]> {
  const createdAt = Math.floor(opts.nowMs / 1000);
  const rows = opts.messages.map(
    (m): NewMessageRow => ({
      id: opts.ids('msg'),
      tenant_id: opts.tenantId,
      thread_id: opts.threadId,
      seq: nextSeq(opts.nowMs),
      created_at: createdAt,
      role: m.role,
      content: toJson(toMessageContent(m.content)),
      attachments: toJson((m.attachments ?? []).map((a) => ({ ...a, tools: a.tools ?? [] }))),
      metadata: toJson(m.metadata ?? {}),
      assistant_id: null,
      run_id: null,
      status: 'completed',
      incomplete_details: null,
      completed_at: null,
      incomplete_at: null,
    }),
  );
  const inserted = await insertMessages(db, rows);
  await indexFileSearchAttachments(db, opts);
  return inserted;
}

/** 404 unless the tenant has the thread (threads.service's getThread, without importing it back). */
async function getThread(db: Db, tenantId: string, threadId: string): Promise<void> {
  if (!(await findThread(db, tenantId, threadId))) throw notFound('thread', threadId);
}

/** 400 while a run holds the thread, as OpenAI answers. */
export async function assertNoActiveRun(db: Db, tenantId: string, threadId: string): Promise<void> {
  const run = await findActiveRun(db, tenantId, threadId);
  if (run) throw invalidRequest(`Can't add messages to ${threadId} while a run ${run.id} is active.`);
}

export async function createMessage(
  deps: MessagesDeps,
  ref: ThreadRef,
  params: CreateMessageParams,
): Promise<MessageRow> {
  const db = deps.store.db;
  await getThread(db, ref.tenantId, ref.threadId);
  await assertNoActiveRun(db, ref.tenantId, ref.threadId);
  await checkReferencedIds(db, ref.tenantId, messageIds(params));
  const [row] = await insertUserMessages(db, { ...ref, nowMs: deps.clock.now(), ids: deps.ids, messages: [params] });
  return row!;
}

/** The thread's message, or 404 naming whichever of the two is missing. */
export async function retrieveMessage(deps: MessagesDeps, ref: MessageRef): Promise<MessageRow> {
  const db = deps.store.db;
  await getThread(db, ref.tenantId, ref.threadId);
  const row = await findMessage(db, ref, ref.messageId);
  if (!row) throw notFound('message', ref.messageId);
  return row;
}

/** Only metadata changes; `null` empties it. */
export async function updateMessage(
  deps: MessagesDeps,
  ref: MessageRef,
  params: Omit<MessageUpdateParams, 'thread_id'>,
): Promise<MessageRow> {
  if (params.metadata === undefined) return retrieveMessage(deps, ref);
  await getThread(deps.store.db, ref.tenantId, ref.threadId);
  const row = await updateMessageRow(deps.store.db, ref, ref.messageId, { metadata: toJson(params.metadata ?? {}) });
  if (!row) throw notFound('message', ref.messageId);
  return row;
}

/** A page of the thread's messages (newest first by default), optionally only those of one run. */
export async function listMessages(
  deps: MessagesDeps,
  ref: ThreadRef,
  query: ListQuery & { run_id?: string },
): Promise<{ rows: MessageRow[]; hasMore: boolean }> {
  const db = deps.store.db;
  await getThread(db, ref.tenantId, ref.threadId);
  return paginate({
    query,
    fetch: (window) => listMessageRows(db, { ...ref, runId: query.run_id }, window),
    seqOf: (id) => findMessageSeq(db, ref, id),
  });
}

export async function deleteMessage(deps: MessagesDeps, ref: MessageRef): Promise<void> {
  await getThread(deps.store.db, ref.tenantId, ref.threadId);
  if (!(await deleteMessageRow(deps.store.db, ref, ref.messageId))) throw notFound('message', ref.messageId);
}
