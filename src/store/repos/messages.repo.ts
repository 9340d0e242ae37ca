import { compiledInsert } from '../compiled-query.js';
import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import { ASSISTANTS_ROLES, type MessageRow, type MessageUpdate, type NewMessageRow } from '../tables/messages.table.js';

/**
 * Every query is scoped to one tenant and one thread. The Assistants API's reads and writes see only user and
 * assistant messages (system and developer messages come from the Conversations API).
 */

export interface MessageRef {
  tenantId: string;
  threadId: string;
}

/** One message, the insert compiled once (most requests add one: a response's input, a run's message). */
const insertOne = compiledInsert((db, row: NewMessageRow) => db.insertInto('messages').values(row).returningAll());

export async function insertMessages(db: Db, rows: readonly NewMessageRow[]): Promise<MessageRow[]> {
  if (rows.length === 0) return [];
  if (rows.length === 1) return [await insertOne(db, rows[0]!)];
  const inserted = await db.insertInto('messages').values([...rows]).returningAll().execute();
  return inserted.sort((a, b) => a.seq - b.seq);
}

export async function insertMessage(db: Db, row: NewMessageRow): Promise<MessageRow> {
  return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findMessage(db: Db, ref: MessageRef, id: string): Promise<MessageRow | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .where('role', 'in', ASSISTANTS_ROLES)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Applies the patch; undefined when the thread has no such message. */
export function updateMessageRow(db: Db, ref: MessageRef, id: string, patch: MessageUpdate): Promise<MessageRow | undefined> {
  return db
    .updateTable('messages')
    .set(patch)
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .where('role', 'in', ASSISTANTS_ROLES)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** True when a row was deleted. */
export async function deleteMessageRow(db: Db, ref: MessageRef, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('messages')
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .where('role', 'in', ASSISTANTS_ROLES)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** One page of a thread's messages, optionally only those a run created. */
export function listMessageRows(
  db: Db,
  ref: MessageRef & { runId?: string },
  window: SeqWindow,
): Promise<MessageRow[]> {
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .where('role', 'in', ASSISTANTS_ROLES);
  if (ref.runId !== undefined) {
    // A response's messages (assistant_id '') belong to no Assistants run: its run is never listed.
    q = q.where('run_id', '=', ref.runId).where((eb) => eb.or([eb('assistant_id', 'is', null), eb('assistant_id', '<>', '')]));
  }
  return applySeqWindow(q, 'seq', window).execute();
}

/** The list cursor of a message of the thread. */
export async function findMessageSeq(db: Db, ref: MessageRef, id: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('messages')
    .select('seq')
    .where('tenant_id', '=', ref.tenantId)
    .where('thread_id', '=', ref.threadId)
    .where('role', 'in', ASSISTANTS_ROLES)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.seq;
}

/** All of a thread's messages in creation order (oldest first): the conversation a run sends to the model. */
export function listThreadMessages(db: Db, tenantId: string, threadId: string): Promise<MessageRow[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('thread_id', '=', threadId)
    .orderBy('seq', 'asc')
    .execute();
}

/** The attachments of a thread's messages that have any, oldest first (what code_interpreter loads into /mnt/data). */
export async function listThreadAttachments(db: Db, tenantId: string, threadId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('messages')
    .select('attachments')
    .where('tenant_id', '=', tenantId)
    .where('thread_id', '=', threadId)
    .where('attachments', '!=', '[]')
    .orderBy('seq', 'asc')
    .execute();
  return rows.map((r) => r.attachments ?? '[]');
}
