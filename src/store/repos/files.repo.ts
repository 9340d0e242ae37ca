import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { FileRow, NewFileRow } from '../tables/files.table.js';

/** Every query is scoped to one tenant: another tenant's file is simply not there. */

export function insertFile(db: Db, row: NewFileRow): Promise<FileRow> {
  return db.insertInto('files').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findFile(db: Db, tenantId: string, id: string): Promise<FileRow | undefined> {
  return db.selectFrom('files').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Which of `ids` are the tenant's files, in one query. */
export async function findFileIds(db: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('files').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** The deleted row, or undefined when there was none. */
export function deleteFileRow(db: Db, tenantId: string, id: string): Promise<FileRow | undefined> {
  return db.deleteFrom('files').where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
}

/** One page of the tenant's files, optionally of one purpose only. */
export function listFileRows(db: Db, opts: { tenantId: string; purpose?: string; window: SeqWindow }): Promise<FileRow[]> {
  let q = db.selectFrom('files').selectAll().where('tenant_id', '=', opts.tenantId);
  if (opts.purpose !== undefined) q = q.where('purpose', '=', opts.purpose);
  return applySeqWindow(q, 'seq', opts.window).execute();
}

/** The list cursor of a file of the tenant (within the purpose filter, when there is one). */
export async function findFileSeq(
  db: Db,
  opts: { tenantId: string; purpose?: string; id: string },
): Promise<number | undefined> {
  let q = db.selectFrom('files').select('seq').where('tenant_id', '=', opts.tenantId).where('id', '=', opts.id);
  if (opts.purpose !== undefined) q = q.where('purpose', '=', opts.purpose);
  const row = await q.executeTakeFirst();
  return row?.seq;
}

/** Files of every tenant whose `expires_at` (unix seconds) has passed, oldest expiry first, at most `limit`. */
export function listExpiredFiles(db: Db, nowS: number, limit: number): Promise<Array<{ tenant_id: string; id: string }>> {
  return db
    .selectFrom('files')
    .select(['tenant_id', 'id'])
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', nowS)
    .orderBy('expires_at', 'asc')
    .limit(limit)
    .execute();
}
