import type { VectorStoreCreateParams, VectorStoreUpdateParams } from 'openai/resources/vector-stores/vector-stores';
import type { OrNull } from './request-params.js';
import { notFound } from '../errors.js';
import { removeVectorStoreChunks } from '../retrieval/chunk-index.js';
import type { Db } from '../store/database.js';
import { fromJson, toJson } from '../store/json.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import {
  deleteVectorStoreRow,
  emptyStats,
  findVectorStoreSeq,
  insertVectorStore,
  listVectorStoreRows,
  statsByVectorStore,
  updateVectorStoreRow,
  type FileStats,
} from '../store/repos/vector-stores.repo.js';
import { nextSeq } from '../store/seq.js';
import type { VectorStoreRow, VectorStoreUpdate } from '../store/tables/vector-stores.table.js';
import { checkReferencedIds, fileIds as fileIdsAt } from './referenced-ids.js';
import {
  attachFiles,
  getVectorStore,
  type VectorStoreRef,
  type VectorStoresDeps,
} from './vector-store-files.service.js';

export type CreateVectorStoreParams = OrNull<VectorStoreCreateParams>;
export type UpdateVectorStoreParams = OrNull<VectorStoreUpdateParams>;

/** A store with its file_counts and usage_bytes (one GROUP BY over its files). */
export interface VectorStoreView {
  row: VectorStoreRow;
  stats: FileStats;
}

const DAY_S = 86_400;

/** expires_at for an `expires_after` policy anchored at last_active_at; null without a policy. */
export function expiresAt(expiresAfter: string | null, lastActiveAt: number | null): number | null {
  const policy = fromJson<{ days: number } | null>(expiresAfter, null);
  if (!policy || lastActiveAt === null) return null;
  return lastActiveAt + policy.days * DAY_S;
}

export async function withStats(db: Db, rows: VectorStoreRow[]): Promise<VectorStoreView[]> {
  const stats = await statsByVectorStore(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ row, stats: stats.get(row.id) ?? emptyStats() }));
}

/** Creates the store and attaches `file_ids` (to be indexed) in one transaction. */
export async function createVectorStore(
  deps: VectorStoresDeps,
  tenantId: string,
  params: CreateVectorStoreParams,
): Promise<VectorStoreView> {
  const db = deps.store.db;
  const fileIds = params.file_ids ?? [];
  await checkReferencedIds(db, tenantId, fileIdsAt(fileIds, 'file_ids'));
  const nowMs = deps.clock.now();
  const nowS = Math.floor(nowMs / 1000);
  const expiresAfter = params.expires_after ? toJson(params.expires_after) : null;
  const row = await db.transaction().execute(async (trx) => {
    const store = await insertVectorStore(trx, {
      id: deps.ids('vs'),
      tenant_id: tenantId,
      seq: nextSeq(nowMs),
      created_at: nowS,
      name: params.name ?? null,
      description: params.description ?? null,
      metadata: toJson(params.metadata ?? {}),
      expires_after: expiresAfter,
      expires_at: expiresAt(expiresAfter, nowS),
      last_active_at: nowS,
    });
    const files = fileIds.map((file_id) => ({ file_id, chunking_strategy: params.chunking_strategy }));
    await attachFiles(trx, { tenantId, vectorStoreId: store.id, files, nowMs });
    return store;
  });
  if (fileIds.length > 0) deps.ingestion?.enqueue();
  const [view] = await withStats(db, [row]);
  return view!;
}

export async function retrieveVectorStore(deps: VectorStoresDeps, ref: VectorStoreRef): Promise<VectorStoreView> {
  const row = await getVectorStore(deps.store.db, ref.tenantId, ref.vectorStoreId);
  const [view] = await withStats(deps.store.db, [row]);
  return view!;
}

/** Changes the given fields; `null` clears name, metadata, or the expiry policy (and expires_at). */
export async function updateVectorStore(
  deps: VectorStoresDeps,
  ref: VectorStoreRef,
  params: UpdateVectorStoreParams,
): Promise<VectorStoreView> {
  const db = deps.store.db;
  const current = await getVectorStore(db, ref.tenantId, ref.vectorStoreId);
  const patch: VectorStoreUpdate = {};
  if (params.name !== undefined) patch.name = params.name;
  if (params.metadata !== undefined) patch.metadata = toJson(params.metadata ?? {});
  if (params.expires_after !== undefined) {
    patch.expires_after = params.expires_after === null ? null : toJson(params.expires_after);
    patch.expires_at = expiresAt(patch.expires_after, current.last_active_at);
  }
  if (Object.keys(patch).length === 0) return retrieveVectorStore(deps, ref);
  const row = await updateVectorStoreRow(db, ref.tenantId, ref.vectorStoreId, patch);
  if (!row) throw notFound('vector store', ref.vectorStoreId);
  const [view] = await withStats(db, [row]);
  return view!;
}

export async function listVectorStores(
  deps: VectorStoresDeps,
  tenantId: string,
  query: ListQuery,
): Promise<{ views: VectorStoreView[]; hasMore: boolean }> {
  const db = deps.store.db;
  const { rows, hasMore } = await paginate({
    query,
    fetch: (window) => listVectorStoreRows(db, tenantId, window),
    seqOf: (id) => findVectorStoreSeq(db, tenantId, id),
  });
  return { views: await withStats(db, rows), hasMore };
}

/** Deletes the store, its files' and batches' rows, and its chunks, in one transaction. The files stay. */
export async function deleteVectorStore(deps: VectorStoresDeps, ref: VectorStoreRef): Promise<void> {
  const { db, dialect } = deps.store;
  await db.transaction().execute(async (trx) => {
    if (!(await deleteVectorStoreRow(trx, ref.tenantId, ref.vectorStoreId))) throw notFound('vector store', ref.vectorStoreId);
    await removeVectorStoreChunks(trx, dialect, ref.vectorStoreId);
  });
}
