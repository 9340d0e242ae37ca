import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { NewServiceAccountRow, ServiceAccountRow } from '../tables/projects.table.js';

/** Every query names the project: another project's service account is simply not there. */

export function insertServiceAccount(db: Db, row: NewServiceAccountRow): Promise<ServiceAccountRow> {
  return db.insertInto('service_accounts').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The import at start: inserts it, or moves it to the project the configuration now names. */
export async function upsertServiceAccount(db: Db, row: NewServiceAccountRow): Promise<void> {
  await db
    .insertInto('service_accounts')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ project_id: row.project_id, name: row.name }))
    .execute();
}

export function findServiceAccount(db: Db, projectId: string, id: string): Promise<ServiceAccountRow | undefined> {
  return db
    .selectFrom('service_accounts')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export function listServiceAccountRows(db: Db, projectId: string, window: SeqWindow): Promise<ServiceAccountRow[]> {
  return applySeqWindow(db.selectFrom('service_accounts').selectAll().where('project_id', '=', projectId), 'seq', window).execute();
}

export async function findServiceAccountSeq(db: Db, projectId: string, id: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('service_accounts')
    .select('seq')
    .where('project_id', '=', projectId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.seq;
}

/** Deletes the service account; its API keys go with it (ON DELETE CASCADE). True when a row was deleted. */
export async function deleteServiceAccountRow(db: Db, projectId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('service_accounts').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Deletes these service accounts, whatever their project. */
export async function deleteServiceAccountRows(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length) await db.deleteFrom('service_accounts').where('id', 'in', [...ids]).execute();
}

/** Renames the project's service account; undefined when there is none. */
export function renameServiceAccount(db: Db, projectId: string, id: string, name: string): Promise<ServiceAccountRow | undefined> {
  return db.updateTable('service_accounts').set({ name }).where('project_id', '=', projectId).where('id', '=', id).returningAll().executeTakeFirst();
}
