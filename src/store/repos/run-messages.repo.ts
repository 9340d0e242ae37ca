import type { Db } from '../database.js';
import type { MessageRow, MessageUpdate, NewMessageRow } from '../tables/messages.table.js';

/** The assistant messages a run writes. */
export function insertRunMessage(db: Db, row: NewMessageRow): Promise<MessageRow> {
  return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
}

export function updateRunMessage(db: Db, messageId: string, patch: MessageUpdate): Promise<MessageRow | undefined> {
  return db.updateTable('messages').set(patch).where('id', '=', messageId).returningAll().executeTakeFirst();
}

export async function deleteMessages(db: Db, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('messages').where('id', 'in', ids).execute();
}

/** Every message of the thread in order: what the model sees. */
export function threadMessagesForPrompt(db: Db, threadId: string): Promise<MessageRow[]> {
  return db.selectFrom('messages').selectAll().where('thread_id', '=', threadId).orderBy('seq').execute();
}
