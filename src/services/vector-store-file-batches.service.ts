import type { CreateVectorStoreFileParams } from './vector-store-files.service.js';
import { ApiError } from '../errors.js';
import { removeFileChunks } from '../retrieval/chunk-index.js';
import type { Db } from '../store/database.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import {
  cancelBatchFiles,
  countInProgressInBatch,
  findVectorStoreFileSeq,
  listVectorStoreFileRows,
} from '../store/repos/vector-store-files.repo.js';
import {
  emptyStats,
  findFileBatch,
  finishFileBatch,
  insertFileBatch,
  statsByBatch,
  type FileStats,
} from '../store/repos/vector-stores.repo.js';
import { nextSeq } from '../store/seq.js';
import type { VectorStoreFileBatchRow, VectorStoreFileRow, VectorStoreFileStatus } from '../store/tables/vector-stores.table.js';
import { checkReferencedIds, fileIds } from './referenced-ids.js';
import {
  assertNotExpired,
  attachFiles,
  getVectorStore,
  type VectorStoreRef,
  type VectorStoresDeps,
} from './vector-store-files.service.js';

export interface FileBatchRef extends VectorStoreRef {
  batchId: string;
}
export interface FileBatchView {
  row: VectorStoreFileBatchRow;
  stats: FileStats;
}

async function getFileBatch(db: Db, ref: FileBatchRef): Promise<VectorStoreFileBatchRow> {
  await getVectorStore(db, ref.tenantId, ref.vectorStoreId);
  const row = await findFileBatch(db, ref);
  if (!row)
    throw new ApiError({
      status: 404,
      message: `No file batch found with id '${ref.batchId}' in vector store '${ref.vectorStoreId}'.`,
      type: 'invalid_request_error',
    });
  return row;
}

async function view(db: Db, row: VectorStoreFileBatchRow): Promise<FileBatchView> {
  const stats = await statsByBatch(db, [row.id]);
  return { row, stats: stats.get(row.id) ?? emptyStats() };
}

/** Attaches the files (each with its own or the shared settings) under a new batch, in one transaction. */
export async function createFileBatch(
  deps: VectorStoresDeps,
  ref: VectorStoreRef,
  files: CreateVectorStoreFileParams[],
): Promise<FileBatchView> {
  const db = deps.store.db;
  const nowMs = deps.clock.now();
  assertNotExpired(await getVectorStore(db, ref.tenantId, ref.vectorStoreId), Math.floor(nowMs / 1000));
  const ids = files.map((f) => f.file_id);
  await checkReferencedIds(db, ref.tenantId, fileIds(ids, 'file_ids'));
  const row = await db.transaction().execute(async (trx) => {
    const batch = await insertFileBatch(trx, {
      id: deps.ids('vsfb'),
      vector_store_id: ref.vectorStoreId,
      tenant_id: ref.tenantId,
      seq: nextSeq(nowMs),
      created_at: Math.floor(nowMs / 1000),
      status: 'in_progress',
    });
    await attachFiles(trx, { ...ref, batchId: batch.id, files, nowMs });
    return batch;
  });
  deps.ingestion?.enqueue();
  return view(db, row);
}

export async function retrieveFileBatch(deps: VectorStoresDeps, ref: FileBatchRef): Promise<FileBatchView> {
  return view(deps.store.db, await getFileBatch(deps.store.db, ref));
}

/**
 * Cancels the batch: its files not yet indexed become `cancelled` at once (a worker indexing one drops its
 * work). A batch with nothing left in progress is returned as it is.
 */
export async function cancelFileBatch(deps: VectorStoresDeps, ref: FileBatchRef): Promise<FileBatchView> {
  const db = deps.store.db;
  await getFileBatch(db, ref);
  const row = await db.transaction().execute(async (trx) => {
    const pending = await countInProgressInBatch(trx, ref.batchId);
    const done = await finishFileBatch(trx, ref.batchId, pending > 0 ? 'cancelled' : 'completed');
    if (done?.status === 'cancelled')
      // A file being indexed stores its chunks as it goes (retrieval/ingestion.ts): what it stored goes with it.
      for (const key of await cancelBatchFiles(trx, ref.batchId)) await removeFileChunks(trx, deps.store.dialect, key);
    return done ?? (await getFileBatch(trx, ref));
  });
  return view(db, row);
}

export async function listBatchFiles(
  deps: VectorStoresDeps,
  ref: FileBatchRef & { status?: VectorStoreFileStatus },
  query: ListQuery,
): Promise<{ rows: VectorStoreFileRow[]; hasMore: boolean }> {
  const db = deps.store.db;
  await getFileBatch(db, ref);
  const scope = { tenantId: ref.tenantId, vectorStoreId: ref.vectorStoreId, batchId: ref.batchId, status: ref.status };
  return paginate({
    query,
    fetch: (window) => listVectorStoreFileRows(db, scope, window),
    seqOf: (id) => findVectorStoreFileSeq(db, scope, id),
  });
}
