import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { AdminApiKeyRow, NewAdminApiKeyRow } from '../tables/api-keys.table.js';

export async function insertAdminApiKey(db: Db, row: NewAdminApiKeyRow): Promise<void> {
  await db.insertInto('admin_api_keys').values(row).execute();
}

/** The bootstrap key of the configuration (SWITCHBOARD_ADMIN_KEY, YAML admin_key): inserted unless present. */
export async function insertAdminApiKeyIfMissing(db: Db, row: NewAdminApiKeyRow): Promise<void> {
  await db.insertInto('admin_api_keys').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export function findAdminApiKey(db: Db, id: string): Promise<AdminApiKeyRow | undefined> {
  return db.selectFrom('admin_api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listAdminApiKeyRows(db: Db, window: SeqWindow): Promise<AdminApiKeyRow[]> {
  return applySeqWindow(db.selectFrom('admin_api_keys').selectAll(), 'seq', window).execute();
}

export async function findAdminApiKeySeq(db: Db, id: string): Promise<number | undefined> {
  const row = await db.selectFrom('admin_api_keys').select('seq').where('id', '=', id).executeTakeFirst();
  return row?.seq;
}

export async function deleteAdminApiKeyRow(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('admin_api_keys').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function touchAdminApiKeys(db: Db, ids: readonly string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('admin_api_keys').set({ last_used_at: at }).where('id', 'in', [...ids]).execute();
}

/** Deletes the admin keys imported from the configuration but `keep`. */
export async function deleteImportedAdminApiKeysExcept(db: Db, keep: readonly string[]): Promise<void> {
  let q = db.deleteFrom('admin_api_keys').where('imported', '=', 1);
  if (keep.length) q = q.where('id', 'not in', [...keep]);
  await q.execute();
}
