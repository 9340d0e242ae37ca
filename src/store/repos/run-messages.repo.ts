import { compiledInsert, compiledQuery } from '../compiled-query.js';
import type { Db } from '../database.js';
import type { ConversationItemRow } from '../tables/conversation-items.table.js';
import type { MessageRow, MessageUpdate, NewMessageRow } from '../tables/messages.table.js';

/** The assistant messages a run writes. */
/** Inserted for every message a run writes: compiled once per column set (store/compiled-query.ts). */
export const insertRunMessage: (db: Db, row: NewMessageRow) => Promise<MessageRow> = compiledInsert((db, row: NewMessageRow) =>
  db.insertInto('messages').values(row).returningAll(),
);

export function updateRunMessage(db: Db, messageId: string, patch: MessageUpdate): Promise<MessageRow | undefined> {
  return db.updateTable('messages').set(patch).where('id', '=', messageId).returningAll().executeTakeFirst();
}

export async function deleteMessages(db: Db, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('messages').where('id', 'in', ids).execute();
}

// Read for every turn of every run: compiled once (store/compiled-query.ts).
const messagesOfThread = compiledQuery((db, p: { threadId: string }) => db.selectFrom('messages').selectAll().where('thread_id', '=', p.threadId).orderBy('seq'));
const itemsOfThread = compiledQuery((db, p: { threadId: string }) =>
  db.selectFrom('conversation_items').selectAll().where('thread_id', '=', p.threadId).orderBy('seq'),
);

/** A thread's messages and other conversation items, each in seq order. */
export interface ThreadHistory {
  messages: MessageRow[];
  items: ConversationItemRow[];
}

/** Every message of the thread in order: what the model sees. */
export function threadMessagesForPrompt(db: Db, threadId: string): Promise<MessageRow[]> {
  return messagesOfThread(db, { threadId });
}

/**
 * The thread's history, what the model sees: every message (all roles) and every other conversation item, each
 * in seq order (the two interleave by seq: engine/thread-history.ts merges them).
 */
export async function threadHistoryRows(db: Db, threadId: string): Promise<ThreadHistory> {
  const [messages, items] = await Promise.all([
    threadMessagesForPrompt(db, threadId),
    itemsOfThread(db, { threadId }),
  ]);
  return { messages, items };
}
