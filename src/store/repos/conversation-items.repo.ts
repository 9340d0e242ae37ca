import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { ConversationItemRow, NewConversationItemRow } from '../tables/conversation-items.table.js';
import type { MessageRow } from '../tables/messages.table.js';

/**
 * A conversation's items: its thread's messages (every role) and its rows of conversation_items. Every query is
 * scoped to one tenant and one conversation (thread), except findTenantItem (item_reference), scoped to the tenant.
 */
export interface ConversationRef {
  tenantId: string;
  threadId: string;
}

export async function insertConversationItems(db: Db, rows: readonly NewConversationItemRow[]): Promise<ConversationItemRow[]> {
  if (rows.length === 0) return [];
  return db.insertInto('conversation_items').values([...rows]).returningAll().execute();
}

export function findConversationItem(db: Db, ref: ConversationRef, id: string): Promise<ConversationItemRow | undefined> {
  return db
    .selectFrom('conversation_items')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function findConversationMessage(db: Db, ref: ConversationRef, id: string): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Deletes the item, message or other, of the conversation. True when a row was deleted. */
export async function deleteConversationItemRow(db: Db, ref: ConversationRef, id: string): Promise<boolean> {
  for (const table of ['conversation_items', 'messages'] as const) {
    const result = await db
      .deleteFrom(table)
      .where('tenant_id', '=', ref.tenantId)
      .where('thread_id', '=', ref.threadId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numDeletedRows > 0n) return true;
  }
  return false;
}

/** One window of the conversation's messages (every role). */
export function listConversationMessageRows(db: Db, ref: ConversationRef, window: SeqWindow): Promise<MessageRow[]> {
  const q = db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId);
  return applySeqWindow(q, 'seq', window).execute();
}

/** One window of the conversation's other items. */
export function listConversationItemRows(db: Db, ref: ConversationRef, window: SeqWindow): Promise<ConversationItemRow[]> {
  const q = db
    .selectFrom('conversation_items')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId);
  return applySeqWindow(q, 'seq', window).execute();
}

/** The list cursor of an item (message or other) of the conversation. */
export async function findConversationItemSeq(db: Db, ref: ConversationRef, id: string): Promise<number | undefined> {
  const row = (await findConversationMessage(db, ref, id)) ?? (await findConversationItem(db, ref, id));
  return row?.seq;
}

/** An item of any of the tenant's conversations (threads), by id: what an item_reference points at. */
export async function findTenantItem(
  db: Db,
  tenantId: string,
  id: string,
): Promise<{ message: MessageRow } | { item: ConversationItemRow } | undefined> {
  const message = await db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (message) return { message };
  const item = await db
    .selectFrom('conversation_items')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return item ? { item } : undefined;
}

/** file id → filename, for the tenant's files among `ids` (citations name the file). */
export async function findFileNames(db: Db, tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('files')
    .select(['id', 'filename'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.filename]));
}

/** Every item of the conversation, oldest first: its messages (every role) and its other items, each in seq order. */
export async function listAllConversationRows(
  db: Db,
  ref: ConversationRef,
): Promise<{ messages: MessageRow[]; items: ConversationItemRow[] }> {
  const messages = await db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .orderBy('seq', 'asc')
    .execute();
  const items = await db
    .selectFrom('conversation_items')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .orderBy('seq', 'asc')
    .execute();
  return { messages, items };
}

/** A function call the model made that the client answers (a run with client_calls `end`). */
export interface FunctionCallItem {
  id: string;
  tenantId: string;
  threadId: string;
  seq: number;
  createdAt: number;
  callId: string;
  name: string;
  arguments: string;
}

/** Writes the calls as `function_call` items of the thread, `completed`, shaped as the Conversations API lists them. */
export function insertFunctionCallItems(db: Db, calls: readonly FunctionCallItem[]): Promise<ConversationItemRow[]> {
  return insertConversationItems(
    db,
    calls.map((c) => ({
      id: c.id,
      tenant_id: c.tenantId,
      thread_id: c.threadId,
      seq: c.seq,
      created_at: c.createdAt,
      type: 'function_call',
      item: JSON.stringify({ type: 'function_call', call_id: c.callId, name: c.name, arguments: c.arguments, status: 'completed', id: c.id }),
      response_id: null,
    })),
  );
}

/** A turn's reasoning, as insertReasoningItem writes it. */
export interface ReasoningItem {
  id: string;
  tenantId: string;
  threadId: string;
  seq: number;
  createdAt: number;
  text: string;
  status: 'completed' | 'incomplete';
}

/** The row of the thread's `reasoning` item for the turn's reasoning (insertReasoningItem). */
export function reasoningItemRow(r: ReasoningItem): ConversationItemRow {
  const item = { id: r.id, type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: r.text }], status: r.status };
  const row = { id: r.id, tenant_id: r.tenantId, thread_id: r.threadId, seq: r.seq, created_at: r.createdAt, type: 'reasoning', response_id: null };
  return { ...row, item: JSON.stringify(item) };
}

/** The model's reasoning in one turn of a run, as the thread's `reasoning` item (shown as the Conversations API lists it). */
export function insertReasoningItem(db: Db, r: ReasoningItem): Promise<ConversationItemRow[]> {
  return insertConversationItems(db, [reasoningItemRow(r)]);
}

/** Removes items by id (the reasoning of a turn a crashed worker left unfinished). */
export async function deleteConversationItems(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length) await db.deleteFrom('conversation_items').where('id', 'in', ids).execute();
}

/**
 * The reasoning items the engine wrote on the thread during a run (after the run's seq, before the thread's next
 * run): not input (no response_id). A run's step names the reasoning before it; this finds a turn that only reasoned.
 */
export async function listRunReasoningItems(db: Db, run: { tenant_id: string; thread_id: string; seq: number }): Promise<ConversationItemRow[]> {
  const next = await db
    .selectFrom('runs')
    .select('seq')
    .where('thread_id', '=', run.thread_id)
    .where('seq', '>', run.seq)
    .orderBy('seq', 'asc')
    .limit(1)
    .executeTakeFirst();
  let q = db
    .selectFrom('conversation_items')
    .selectAll()
    .where('tenant_id', '=', run.tenant_id)
    .where('thread_id', '=', run.thread_id)
    .where('type', '=', 'reasoning')
    .where('response_id', 'is', null)
    .where('seq', '>', run.seq);
  if (next) q = q.where('seq', '<', next.seq);
  return q.orderBy('seq', 'asc').execute();
}
