import type { Db, DialectName } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type {
  NewVectorStoreFileRow,
  VectorStoreFileRow,
  VectorStoreFileStatus,
  VectorStoreFileUpdate,
} from '../tables/vector-stores.table.js';

/** The files attached to vector stores; a row is keyed by (vector_store_id, id). */

export interface VectorStoreFileKey {
  vectorStoreId: string;
  fileId: string;
}

export interface VectorStoreFileScope {
  tenantId: string;
  vectorStoreId: string;
  /** Only the files of this batch. */
  batchId?: string;
  status?: VectorStoreFileStatus;
}

/**
 * Attaches a file (in_progress, to be indexed). Attaching a file already in the store indexes it again
 * with the new chunking strategy and attributes.
 */
export function upsertVectorStoreFiles(db: Db, rows: NewVectorStoreFileRow[]): Promise<VectorStoreFileRow[]> {
  if (rows.length === 0) return Promise.resolve([]);
  return db
    .insertInto('vector_store_files')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['vector_store_id', 'id']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        last_error: null,
        usage_bytes: 0,
        chunking_strategy: eb.ref('excluded.chunking_strategy'),
        attributes: eb.ref('excluded.attributes'),
        batch_id: eb.ref('excluded.batch_id'),
        lease_owner: null,
        lease_expires_at: null,
        attempts: 0,
        chunks_total: null,
        chunks_indexed: 0,
      })),
    )
    .returningAll()
    .execute();
}

export function findVectorStoreFile(
  db: Db,
  opts: { tenantId: string; vectorStoreId: string; fileId: string },
): Promise<VectorStoreFileRow | undefined> {
  return db
    .selectFrom('vector_store_files')
    .selectAll()
    .where('tenant_id', '=', opts.tenantId)
    .where('vector_store_id', '=', opts.vectorStoreId)
    .where('id', '=', opts.fileId)
    .executeTakeFirst();
}

function scoped(db: Db, scope: VectorStoreFileScope) {
  let q = db
    .selectFrom('vector_store_files')
    .where('tenant_id', '=', scope.tenantId)
    .where('vector_store_id', '=', scope.vectorStoreId);
  if (scope.batchId !== undefined) q = q.where('batch_id', '=', scope.batchId);
  if (scope.status !== undefined) q = q.where('status', '=', scope.status);
  return q;
}

export function listVectorStoreFileRows(db: Db, scope: VectorStoreFileScope, window: SeqWindow): Promise<VectorStoreFileRow[]> {
  return applySeqWindow(scoped(db, scope).selectAll(), 'seq', window).execute();
}

/** The list cursor of a file within the scope. */
export async function findVectorStoreFileSeq(db: Db, scope: VectorStoreFileScope, fileId: string): Promise<number | undefined> {
  const row = await scoped(db, scope).select('seq').where('id', '=', fileId).executeTakeFirst();
  return row?.seq;
}

export function updateVectorStoreFileRow(
  db: Db,
  opts: { tenantId: string; vectorStoreId: string; fileId: string },
  patch: VectorStoreFileUpdate,
): Promise<VectorStoreFileRow | undefined> {
  return db
    .updateTable('vector_store_files')
    .set(patch)
    .where('tenant_id', '=', opts.tenantId)
    .where('vector_store_id', '=', opts.vectorStoreId)
    .where('id', '=', opts.fileId)
    .returningAll()
    .executeTakeFirst();
}

/** True when a row was deleted. */
export async function deleteVectorStoreFileRow(
  db: Db,
  opts: { tenantId: string; vectorStoreId: string; fileId: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('vector_store_files')
    .where('tenant_id', '=', opts.tenantId)
    .where('vector_store_id', '=', opts.vectorStoreId)
    .where('id', '=', opts.fileId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Detaches a file from every store of the tenant; returns the stores it was in. */
export async function deleteFileFromAllStores(db: Db, tenantId: string, fileId: string): Promise<string[]> {
  const rows = await db
    .deleteFrom('vector_store_files')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', fileId)
    .returning('vector_store_id')
    .execute();
  return rows.map((r) => r.vector_store_id);
}

/** The completed files among `fileIds` in the tenant's stores, with their filenames, for search results. */
export function findSearchableFiles(
  db: Db,
  opts: { tenantId: string; vectorStoreIds: readonly string[]; fileIds: readonly string[] },
): Promise<Array<{ vector_store_id: string; id: string; attributes: string | null; filename: string | null }>> {
  if (opts.vectorStoreIds.length === 0 || opts.fileIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('vector_store_files as vsf')
    .leftJoin('files as f', (join) => join.onRef('f.id', '=', 'vsf.id').onRef('f.tenant_id', '=', 'vsf.tenant_id'))
    .select(['vsf.vector_store_id', 'vsf.id', 'vsf.attributes', 'f.filename'])
    .where('vsf.tenant_id', '=', opts.tenantId)
    .where('vsf.vector_store_id', 'in', opts.vectorStoreIds)
    .where('vsf.id', 'in', opts.fileIds)
    .where('vsf.status', '=', 'completed')
    .execute();
}

/** Whether any file of these stores (any tenant's: the caller checked the ids) is still being ingested. */
export async function anyFileInProgress(db: Db, vectorStoreIds: readonly string[]): Promise<boolean> {
  if (vectorStoreIds.length === 0) return false;
  const row = await db
    .selectFrom('vector_store_files')
    .select('id')
    .where('vector_store_id', 'in', vectorStoreIds)
    .where('status', '=', 'in_progress')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Cancels the batch's files still in progress (a worker indexing one notices and drops its work). */
/** Cancels the batch's files still in progress; returns their keys (their chunks stored so far are to go). */
export async function cancelBatchFiles(db: Db, batchId: string): Promise<VectorStoreFileKey[]> {
  const rows = await db
    .updateTable('vector_store_files')
    .set({ status: 'cancelled', lease_owner: null, lease_expires_at: null })
    .where('batch_id', '=', batchId)
    .where('status', '=', 'in_progress')
    .returning(['vector_store_id', 'id'])
    .execute();
  return rows.map((r) => ({ vectorStoreId: r.vector_store_id, fileId: r.id }));
}

export async function countInProgressInBatch(db: Db, batchId: string): Promise<number> {
  const row = await db
    .selectFrom('vector_store_files')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('batch_id', '=', batchId)
    .where('status', '=', 'in_progress')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------------------------
// Ingestion leases (the worker works across tenants).

/**
 * Leases the oldest in_progress file whose lease is free or lapsed (a crashed worker's). PostgreSQL: FOR
 * UPDATE SKIP LOCKED, so instances sharing the database never claim the same file.
 */
export async function claimVectorStoreFile(
  db: Db,
  opts: { dialect: DialectName; owner: string; nowMs: number; leaseMs: number },
): Promise<VectorStoreFileRow | undefined> {
  let pick = db
    .selectFrom('vector_store_files')
    .select(['vector_store_id', 'id'])
    .where('status', '=', 'in_progress')
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', opts.nowMs)]))
    .orderBy('seq')
    .limit(1);
  if (opts.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
  return db
    .updateTable('vector_store_files')
    .set((eb) => ({
      lease_owner: opts.owner,
      lease_expires_at: opts.nowMs + opts.leaseMs,
      attempts: eb('attempts', '+', 1),
      // A file taken back after a crash starts over: its progress too.
      chunks_total: null,
      chunks_indexed: 0,
      usage_bytes: 0,
    }))
    .where((eb) => eb(eb.refTuple('vector_store_id', 'id'), '=', pick.$asTuple('vector_store_id', 'id')))
    .where('status', '=', 'in_progress')
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', opts.nowMs)]))
    .returningAll()
    .executeTakeFirst();
}

/** Extends the lease while the owner still holds it on a file in progress; false when it was lost. */
export async function renewFileLease(db: Db, key: VectorStoreFileKey, opts: { owner: string; untilMs: number }): Promise<boolean> {
  const r = await db
    .updateTable('vector_store_files')
    .set({ lease_expires_at: opts.untilMs })
    .where('vector_store_id', '=', key.vectorStoreId)
    .where('id', '=', key.fileId)
    .where('status', '=', 'in_progress')
    .where('lease_owner', '=', opts.owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * The file, locked until the transaction ends (PostgreSQL), when it is still in progress under this owner's
 * lease: the worker's last check before it commits its work.
 */
export function lockOwnedFile(
  db: Db,
  key: VectorStoreFileKey,
  opts: { dialect: DialectName; owner: string },
): Promise<VectorStoreFileRow | undefined> {
  let q = db
    .selectFrom('vector_store_files')
    .selectAll()
    .where('vector_store_id', '=', key.vectorStoreId)
    .where('id', '=', key.fileId)
    .where('status', '=', 'in_progress')
    .where('lease_owner', '=', opts.owner);
  if (opts.dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * Progress of a file being indexed, while this owner holds it in progress; false when it no longer does (cancelled,
 * detached, taken over). Inside the transaction that stores its chunks, after lockOwnedFile, or on its own.
 */
export async function recordFileProgress(
  db: Db,
  key: VectorStoreFileKey,
  opts: { owner: string; progress: Pick<VectorStoreFileUpdate, 'chunks_total' | 'chunks_indexed' | 'usage_bytes'> },
): Promise<boolean> {
  const r = await db
    .updateTable('vector_store_files')
    .set(opts.progress)
    .where('vector_store_id', '=', key.vectorStoreId)
    .where('id', '=', key.fileId)
    .where('status', '=', 'in_progress')
    .where('lease_owner', '=', opts.owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Writes the outcome of indexing a file and drops its lease. */
export async function settleFile(db: Db, key: VectorStoreFileKey, patch: VectorStoreFileUpdate): Promise<void> {
  await db
    .updateTable('vector_store_files')
    .set({ ...patch, lease_owner: null, lease_expires_at: null })
    .where('vector_store_id', '=', key.vectorStoreId)
    .where('id', '=', key.fileId)
    .execute();
}

/** Gives a lease back (shutdown) so the next worker takes the file at once. */
export async function releaseFileLease(db: Db, key: VectorStoreFileKey, owner: string): Promise<void> {
  await db
    .updateTable('vector_store_files')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('vector_store_id', '=', key.vectorStoreId)
    .where('id', '=', key.fileId)
    .where('lease_owner', '=', owner)
    .execute();
}

/** SQLite: the database belongs to one process, so a previous process's leases are void. */
export async function voidFileLeases(db: Db): Promise<void> {
  await db
    .updateTable('vector_store_files')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('status', '=', 'in_progress')
    .execute();
}
