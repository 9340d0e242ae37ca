import type { ResponseIncludable } from 'openai/resources/responses/responses';
import { notFound } from '../errors.js';
import type { Db } from '../store/database.js';
import { paginate, type ListQuery, type SeqWindow } from '../store/pagination.js';
import {
  deleteConversationItemRow,
  findConversationItem,
  findConversationItemSeq,
  findConversationMessage,
  findFileNames,
  listConversationItemRows,
  listConversationMessageRows,
  listAllConversationRows,
  type ConversationRef,
} from '../store/repos/conversation-items.repo.js';
import { citedFileIds, toMessageItem, toStoredItem, type ListedItem } from '../store/serialize-items.js';
import type { ThreadRow } from '../store/tables/threads.table.js';
import { appendItems, resolveItemReferences, storedItem, storedMessage, type StoredItem } from './conversation-items-append.js';
import { itemFileIds, type ConversationItemParams } from './conversation-items-input.js';
import { getConversation, type ConversationsDeps } from './conversations.service.js';
import { assertNoActiveRun } from './messages.service.js';
import { checkReferencedIds } from './referenced-ids.js';

export type { ConversationRef };
export interface ItemRef extends ConversationRef {
  itemId: string;
}
export type Include = readonly ResponseIncludable[];

/** Stored items → wire items, naming the files assistant messages cite. */
export async function toConversationItems(db: Db, tenantId: string, items: StoredItem[], include: Include): Promise<ListedItem[]> {
  const cited = items.flatMap((s) => (s.kind === 'message' ? citedFileIds(s.row) : []));
  const ctx = { fileNames: await findFileNames(db, tenantId, [...new Set(cited)]), include: new Set(include) };
  return items.map((s) => (s.kind === 'message' ? toMessageItem(s.row, ctx) : toStoredItem(s.row, ctx)));
}

/** Adds up to 20 items (in order) to the conversation; 400 while a run holds its thread. */
export async function createItems(
  deps: ConversationsDeps,
  ref: ConversationRef,
  params: { items: readonly ConversationItemParams[]; include?: Include },
): Promise<ListedItem[]> {
  const nowMs = deps.clock.now();
  return deps.store.db.transaction().execute(async (trx) => {
    await getConversation(trx, ref.tenantId, ref.threadId);
    await assertNoActiveRun(trx, ref.tenantId, ref.threadId);
    await checkReferencedIds(trx, ref.tenantId, itemFileIds(params.items));
    const items = await resolveItemReferences(trx, ref.tenantId, params.items);
    const stored = await appendItems(trx, { ...ref, nowMs, ids: deps.ids, items });
    return toConversationItems(trx, ref.tenantId, stored, params.include ?? []);
  });
}

/**
 * The whole conversation, oldest first, as wire items: the history a response with `conversation` reads (the
 * Responses slice builds its prompt from it). 404 for another tenant's or an unknown conversation.
 */
export async function conversationHistory(db: Db, ref: ConversationRef, include: Include = []): Promise<ListedItem[]> {
  await getConversation(db, ref.tenantId, ref.threadId);
  const { messages, items } = await listAllConversationRows(db, ref);
  const stored = [...messages.map(storedMessage), ...items.map(storedItem)].sort((a, b) => a.seq - b.seq);
  return toConversationItems(db, ref.tenantId, stored, include);
}

/** One window of the merged list: messages and other items, interleaved by seq. */
async function fetchMerged(db: Db, ref: ConversationRef, window: SeqWindow): Promise<StoredItem[]> {
  const messages = (await listConversationMessageRows(db, ref, window)).map(storedMessage);
  const others = (await listConversationItemRows(db, ref, window)).map(storedItem);
  const sign = window.direction === 'asc' ? 1 : -1;
  return [...messages, ...others].sort((a, b) => sign * (a.seq - b.seq)).slice(0, window.limit);
}

/** A page of the conversation's items (newest first by default). */
export async function listItems(
  deps: ConversationsDeps,
  ref: ConversationRef,
  query: ListQuery & { include: Include },
): Promise<{ data: ListedItem[]; hasMore: boolean }> {
  const db = deps.store.db;
  await getConversation(db, ref.tenantId, ref.threadId);
  const { rows, hasMore } = await paginate({
    query,
    fetch: (window) => fetchMerged(db, ref, window),
    seqOf: (id) => findConversationItemSeq(db, ref, id),
  });
  return { data: await toConversationItems(db, ref.tenantId, rows, query.include), hasMore };
}

async function findStored(db: Db, ref: ItemRef): Promise<StoredItem> {
  const message = await findConversationMessage(db, ref, ref.itemId);
  if (message) return storedMessage(message);
  const item = await findConversationItem(db, ref, ref.itemId);
  if (item) return storedItem(item);
  throw notFound('item', ref.itemId);
}

export async function retrieveItem(deps: ConversationsDeps, ref: ItemRef, include: Include = []): Promise<ListedItem> {
  const db = deps.store.db;
  await getConversation(db, ref.tenantId, ref.threadId);
  const [item] = await toConversationItems(db, ref.tenantId, [await findStored(db, ref)], include);
  return item!;
}

/** Deletes the item (a message goes from the thread too); answers the conversation, as OpenAI does. */
export async function deleteItem(deps: ConversationsDeps, ref: ItemRef): Promise<ThreadRow> {
  const db = deps.store.db;
  const conversation = await getConversation(db, ref.tenantId, ref.threadId);
  if (!(await deleteConversationItemRow(db, ref, ref.itemId))) throw notFound('item', ref.itemId);
  return conversation;
}
