import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { AssistantRow, AssistantUpdate, NewAssistantRow } from '../tables/assistants.table.js';

/** Every query is scoped to one tenant: another tenant's assistant is simply not there. */

export async function insertAssistant(db: Db, row: NewAssistantRow): Promise<AssistantRow> {
  return db.insertInto('assistants').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findAssistant(db: Db, tenantId: string, id: string): Promise<AssistantRow | undefined> {
  return db.selectFrom('assistants').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Applies the patch; undefined when there is no such assistant. */
export function updateAssistantRow(
  db: Db,
  tenantId: string,
  id: string,
  patch: AssistantUpdate,
): Promise<AssistantRow | undefined> {
  return db
    .updateTable('assistants')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** True when a row was deleted. */
export async function deleteAssistantRow(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('assistants')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function listAssistantRows(db: Db, tenantId: string, window: SeqWindow): Promise<AssistantRow[]> {
  return applySeqWindow(db.selectFrom('assistants').selectAll().where('tenant_id', '=', tenantId), 'seq', window).execute();
}

/** The list cursor of an assistant of the tenant. */
export async function findAssistantSeq(db: Db, tenantId: string, id: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('assistants')
    .select('seq')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.seq;
}
