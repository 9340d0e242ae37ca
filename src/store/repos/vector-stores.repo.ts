import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type {
  FileCounts,
  NewVectorStoreFileBatchRow,
  NewVectorStoreRow,
  VectorStoreFileBatchRow,
  VectorStoreFileBatchStatus,
  VectorStoreFileStatus,
  VectorStoreRow,
  VectorStoreUpdate,
} from '../tables/vector-stores.table.js';

/** Vector stores and file batches. Every query is scoped to one tenant, except the ingestion worker's. */

export interface FileStats {
  fileCounts: FileCounts;
  usageBytes: number;
}

export const emptyStats = (): FileStats => ({
  fileCounts: { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 },
  usageBytes: 0,
});

export function insertVectorStore(db: Db, row: NewVectorStoreRow): Promise<VectorStoreRow> {
  return db.insertInto('vector_stores').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findVectorStore(db: Db, tenantId: string, id: string): Promise<VectorStoreRow | undefined> {
  return db.selectFrom('vector_stores').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** The tenant's stores among `ids` (missing ones are simply absent). */
export function findVectorStores(db: Db, tenantId: string, ids: readonly string[]): Promise<VectorStoreRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('vector_stores').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
}

/** Which of `ids` are the tenant's vector stores, in one query. */
export async function findVectorStoreIds(db: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('vector_stores').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

export function updateVectorStoreRow(
  db: Db,
  tenantId: string,
  id: string,
  patch: VectorStoreUpdate,
): Promise<VectorStoreRow | undefined> {
  return db
    .updateTable('vector_stores')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the store with its files' and batches' rows (not their chunks); true when there was one. */
export async function deleteVectorStoreRow(db: Db, tenantId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('vector_stores')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) return false;
  await db.deleteFrom('vector_store_files').where('vector_store_id', '=', id).execute();
  await db.deleteFrom('vector_store_file_batches').where('vector_store_id', '=', id).execute();
  return true;
}

export function listVectorStoreRows(db: Db, tenantId: string, window: SeqWindow): Promise<VectorStoreRow[]> {
  return applySeqWindow(db.selectFrom('vector_stores').selectAll().where('tenant_id', '=', tenantId), 'seq', window).execute();
}

export async function findVectorStoreSeq(db: Db, tenantId: string, id: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('vector_stores')
    .select('seq')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.seq;
}

/** file_counts and usage_bytes of each store, in one GROUP BY. Stores without files get zeros. */
export async function statsByVectorStore(db: Db, ids: readonly string[]): Promise<Map<string, FileStats>> {
  const stats = new Map(ids.map((id) => [id, emptyStats()]));
  if (ids.length === 0) return stats;
  const rows = await db
    .selectFrom('vector_store_files')
    .select((eb) => [
      'vector_store_id as key',
      'status',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.sum<number | string | null>('usage_bytes').as('bytes'),
    ])
    .where('vector_store_id', 'in', ids)
    .groupBy(['vector_store_id', 'status'])
    .execute();
  return addCounts(stats, rows);
}

/** file_counts of each batch, in one GROUP BY. */
export async function statsByBatch(db: Db, batchIds: readonly string[]): Promise<Map<string, FileStats>> {
  const stats = new Map(batchIds.map((id) => [id, emptyStats()]));
  if (batchIds.length === 0) return stats;
  const rows = await db
    .selectFrom('vector_store_files')
    .select((eb) => [
      'batch_id as key',
      'status',
      eb.fn.countAll<number | string>().as('n'),
      eb.fn.sum<number | string | null>('usage_bytes').as('bytes'),
    ])
    .where('batch_id', 'in', batchIds)
    .groupBy(['batch_id', 'status'])
    .execute();
  return addCounts(stats, rows);
}

function addCounts(
  stats: Map<string, FileStats>,
  rows: Array<{ key: string | null; status: VectorStoreFileStatus; n: number | string; bytes: number | string | null }>,
): Map<string, FileStats> {
  for (const row of rows) {
    const s = row.key === null ? undefined : stats.get(row.key);
    if (!s) continue;
    const n = Number(row.n);
    s.fileCounts[row.status] += n;
    s.fileCounts.total += n;
    s.usageBytes += Number(row.bytes ?? 0);
  }
  return stats;
}

export function insertFileBatch(db: Db, row: NewVectorStoreFileBatchRow): Promise<VectorStoreFileBatchRow> {
  return db.insertInto('vector_store_file_batches').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findFileBatch(
  db: Db,
  opts: { tenantId: string; vectorStoreId: string; batchId: string },
): Promise<VectorStoreFileBatchRow | undefined> {
  return db
    .selectFrom('vector_store_file_batches')
    .selectAll()
    .where('tenant_id', '=', opts.tenantId)
    .where('vector_store_id', '=', opts.vectorStoreId)
    .where('id', '=', opts.batchId)
    .executeTakeFirst();
}

/** Moves a batch out of in_progress; undefined when it was not in progress any more. */
export function finishFileBatch(
  db: Db,
  batchId: string,
  status: Exclude<VectorStoreFileBatchStatus, 'in_progress'>,
): Promise<VectorStoreFileBatchRow | undefined> {
  return db
    .updateTable('vector_store_file_batches')
    .set({ status })
    .where('id', '=', batchId)
    .where('status', '=', 'in_progress')
    .returningAll()
    .executeTakeFirst();
}
