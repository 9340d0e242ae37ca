import type { ConversationItem } from 'openai/resources/conversations/items';
import { notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { Db } from '../store/database.js';
import { fromJson, toJson } from '../store/json.js';
import { findTenantItem, insertConversationItems } from '../store/repos/conversation-items.repo.js';
import { insertMessages } from '../store/repos/messages.repo.js';
import { INPUT_IMAGE_URL, toMessageItem, type MessagePart } from '../store/serialize-items.js';
import { nextSeq } from '../store/seq.js';
import type { ConversationItemRow } from '../store/tables/conversation-items.table.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import {
  idKindOf,
  toAssistantsContent,
  toItemContent,
  type ConversationItemParams,
  type MessageItemParams,
  type ResolvedItemParams,
} from './conversation-items-input.js';

/** A stored conversation item: a thread message or a row of conversation_items, with its list cursor. */
export type StoredItem =
  | { kind: 'message'; id: string; seq: number; row: MessageRow }
  | { kind: 'item'; id: string; seq: number; row: ConversationItemRow };

export const storedMessage = (row: MessageRow): StoredItem => ({ kind: 'message', id: row.id, seq: Number(row.seq), row });
export const storedItem = (row: ConversationItemRow): StoredItem => ({ kind: 'item', id: row.id, seq: Number(row.seq), row });

/** A stored item as the parameters that would create it again (item_reference copies the item it points at). */
function toParams(found: { message: MessageRow } | { item: ConversationItemRow }): ResolvedItemParams {
  if ('message' in found) {
    const message = toMessageItem(found.message, { fileNames: new Map(), include: new Set([INPUT_IMAGE_URL]) });
    return { type: 'message', role: found.message.role, content: message.content as MessageItemParams['content'] };
  }
  const { id: _id, ...item } = fromJson<ConversationItem & { id: string }>(found.item.item, { id: '', type: 'reasoning', summary: [] });
  return item as ResolvedItemParams;
}

/**
 * Replaces each item_reference with a copy of the tenant's item it names (any conversation's, as OpenAI resolves
 * them); 404 with `param` for an unknown one.
 */
export async function resolveItemReferences(
  db: Db,
  tenantId: string,
  items: readonly ConversationItemParams[],
  param = 'items',
): Promise<ResolvedItemParams[]> {
  const out: ResolvedItemParams[] = [];
  for (const [i, item] of items.entries()) {
    if (item.type !== 'item_reference') {
      out.push(item);
      continue;
    }
    const found = await findTenantItem(db, tenantId, item.id);
    if (!found) throw notFound('item', item.id, `${param}[${i}].id`);
    out.push(toParams(found));
  }
  return out;
}

interface AppendOpts {
  tenantId: string;
  threadId: string;
  nowMs: number;
  ids: IdGenerator;
  items: readonly ResolvedItemParams[];
  /** The response that produced the items (the Responses API); recorded on non-message items. */
  responseId?: string;
  /** The rows are made, not inserted: only their reader has them (a store:false response's one turn). */
  unwritten?: boolean;
}

function messageRow(opts: AppendOpts, item: MessageItemParams, seq: number): MessageRow {
  const parts: MessagePart[] = toItemContent(item);
  return {
    id: opts.ids('msg'),
    tenant_id: opts.tenantId,
    thread_id: opts.threadId,
    seq,
    created_at: Math.floor(opts.nowMs / 1000),
    role: item.role,
    content: toJson(toAssistantsContent(parts)),
    item_content: toJson(parts),
    attachments: '[]',
    metadata: '{}',
    assistant_id: null,
    run_id: null,
    status: item.status ?? 'completed',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
  };
}

/** Function calls and their outputs are `completed` unless the caller said otherwise; other items keep what they have. */
function itemRow(opts: AppendOpts, item: Exclude<ResolvedItemParams, MessageItemParams>, seq: number): ConversationItemRow {
  const id = opts.ids(idKindOf(item.type));
  const withStatus = item.type === 'function_call' || item.type === 'function_call_output' ? { status: 'completed', ...item } : item;
  return {
    id,
    tenant_id: opts.tenantId,
    thread_id: opts.threadId,
    seq,
    created_at: Math.floor(opts.nowMs / 1000),
    type: item.type,
    // A caller's own `id` is replaced: ids are unique across tenants, so they are never chosen by a client.
    item: toJson({ ...withStatus, id }),
    response_id: opts.responseId ?? null,
  };
}

/**
 * Appends the items to the conversation in the given order: messages to the thread's messages, the others to
 * conversation_items, all under consecutive seqs. Checks nothing: check the conversation, its runs and the files
 * (itemFileIds) first, inside the caller's transaction.
 */
export async function appendItems(db: Db, opts: AppendOpts): Promise<StoredItem[]> {
  const messages: MessageRow[] = [];
  const others: ConversationItemRow[] = [];
  for (const item of opts.items) {
    const seq = nextSeq(opts.nowMs);
    if (item.type === 'message') messages.push(messageRow(opts, item, seq));
    else others.push(itemRow(opts, item, seq));
  }
  const written = opts.unwritten ? { messages, others } : { messages: await insertMessages(db, messages), others: await insertConversationItems(db, others) };
  const stored = [...written.messages.map(storedMessage), ...written.others.map(storedItem)];
  return stored.sort((a, b) => a.seq - b.seq);
}
