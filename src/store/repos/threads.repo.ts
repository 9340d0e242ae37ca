import type { Db } from '../database.js';
import type { NewThreadRow, ThreadRow, ThreadUpdate } from '../tables/threads.table.js';

/**
 * Every query is scoped to one tenant: another tenant's thread is simply not there. Hidden threads (a response's
 * own) are not there either: the Responses API reaches them through its responses.
 */

export async function insertThread(db: Db, row: NewThreadRow): Promise<ThreadRow> {
  return db.insertInto('threads').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findThread(db: Db, tenantId: string, id: string): Promise<ThreadRow | undefined> {
  return db
    .selectFrom('threads')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('hidden', '=', 0)
    .executeTakeFirst();
}

/** Applies the patch; undefined when there is no such thread. */
export function updateThreadRow(db: Db, tenantId: string, id: string, patch: ThreadUpdate): Promise<ThreadRow | undefined> {
  return db
    .updateTable('threads')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('hidden', '=', 0)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the thread; its messages, runs and run steps go with it (ON DELETE CASCADE). True when a row was deleted. */
export async function deleteThreadRow(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('threads')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('hidden', '=', 0)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
