import type { Deps, IngestionQueue } from '../deps.js';
import { ApiError, invalidRequest, notFound } from '../errors.js';
import type { StaticFileChunkingStrategyObject } from 'openai/resources/vector-stores/vector-stores';
import type { FileCreateParams } from 'openai/resources/vector-stores/files';
import type { FileChunkingStrategyParam as ChunkingStrategyParam } from 'openai/resources/vector-stores/vector-stores';
import type { OrNull } from './request-params.js';
import { removeFileChunks } from '../retrieval/chunk-index.js';
import { ExtractionError, extractText, UnsupportedFileTypeError } from '../retrieval/extract.js';
import { AUTO_CHUNKING } from '../retrieval/index-file.js';
import type { Db } from '../store/database.js';
import { toJson } from '../store/json.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import { findVectorStore } from '../store/repos/vector-stores.repo.js';
import {
  deleteVectorStoreFileRow,
  findVectorStoreFile,
  findVectorStoreFileSeq,
  listVectorStoreFileRows,
  updateVectorStoreFileRow,
  upsertVectorStoreFiles,
  type VectorStoreFileScope,
} from '../store/repos/vector-store-files.repo.js';
import { nextSeq } from '../store/seq.js';
import type { VectorStoreFileRow, VectorStoreRow } from '../store/tables/vector-stores.table.js';
import { getFile, readFileBytes } from './files.service.js';
import { checkReferencedIds } from './referenced-ids.js';

/** POST /vector_stores/{id}/files (and each file of a batch). */
export type CreateVectorStoreFileParams = OrNull<FileCreateParams>;

/** Told after a commit that files wait to be indexed (the ingestion worker); optional until it is wired. */
export type { IngestionQueue };
export type VectorStoresDeps = Pick<Deps, 'store' | 'clock' | 'ids'> & { ingestion?: IngestionQueue };

export interface VectorStoreRef {
  tenantId: string;
  vectorStoreId: string;
}
export interface VectorStoreFileRef extends VectorStoreRef {
  fileId: string;
}

/** The stored (and reported) form of a chunking strategy: `auto` is OpenAI's static default. */
export function toStaticStrategy(param: ChunkingStrategyParam | null | undefined): StaticFileChunkingStrategyObject {
  return param?.type === 'static' ? { type: 'static', static: { ...param.static } } : AUTO_CHUNKING;
}

const nowSeconds = (deps: Pick<Deps, 'clock'>) => Math.floor(deps.clock.now() / 1000);

/** The tenant's vector store, or 404 "No vector store found with id '…'." */
export async function getVectorStore(db: Db, tenantId: string, vectorStoreId: string): Promise<VectorStoreRow> {
  const row = await findVectorStore(db, tenantId, vectorStoreId);
  if (!row) throw notFound('vector store', vectorStoreId);
  return row;
}

/** An expired store can be read and deleted, not searched or added to. */
export function assertNotExpired(row: VectorStoreRow, nowS: number): void {
  if (row.expires_at !== null && Number(row.expires_at) <= nowS)
    throw invalidRequest(`Vector store ${row.id} is expired. Create a new vector store to use it.`, 'vector_store_id', 'vector_store_expired');
}

export async function getVectorStoreFile(db: Db, ref: VectorStoreFileRef): Promise<VectorStoreFileRow> {
  await getVectorStore(db, ref.tenantId, ref.vectorStoreId);
  const row = await findVectorStoreFile(db, ref);
  if (!row)
    throw new ApiError({
      status: 404,
      message: `No file found with id '${ref.fileId}' in vector store '${ref.vectorStoreId}'.`,
      type: 'invalid_request_error',
    });
  return row;
}

/** Attaches files (in_progress) within the caller's transaction; the worker is told after the commit. */
export function attachFiles(
  trx: Db,
  opts: { tenantId: string; vectorStoreId: string; batchId?: string; files: CreateVectorStoreFileParams[]; nowMs: number },
): Promise<VectorStoreFileRow[]> {
  const unique = [...new Map(opts.files.map((f) => [f.file_id, f])).values()];
  return upsertVectorStoreFiles(
    trx,
    unique.map((f) => ({
      id: f.file_id,
      vector_store_id: opts.vectorStoreId,
      tenant_id: opts.tenantId,
      seq: nextSeq(opts.nowMs),
      created_at: Math.floor(opts.nowMs / 1000),
      status: 'in_progress',
      last_error: null,
      chunking_strategy: toJson(toStaticStrategy(f.chunking_strategy)),
      attributes: f.attributes == null ? null : toJson(f.attributes),
      batch_id: opts.batchId ?? null,
      lease_owner: null,
      lease_expires_at: null,
    })),
  );
}

export async function createVectorStoreFile(
  deps: VectorStoresDeps,
  ref: VectorStoreRef,
  params: CreateVectorStoreFileParams,
): Promise<VectorStoreFileRow> {
  const db = deps.store.db;
  assertNotExpired(await getVectorStore(db, ref.tenantId, ref.vectorStoreId), nowSeconds(deps));
  await checkReferencedIds(db, ref.tenantId, { files: [{ id: params.file_id, param: 'file_id' }], vectorStores: [] });
  const [row] = await attachFiles(db, { ...ref, files: [params], nowMs: deps.clock.now() });
  deps.ingestion?.enqueue();
  return row!;
}

export function retrieveVectorStoreFile(deps: VectorStoresDeps, ref: VectorStoreFileRef): Promise<VectorStoreFileRow> {
  return getVectorStoreFile(deps.store.db, ref);
}

/** Replaces the attributes (`null` removes them). */
export async function updateVectorStoreFile(
  deps: VectorStoresDeps,
  ref: VectorStoreFileRef,
  attributes: Record<string, string | number | boolean> | null,
): Promise<VectorStoreFileRow> {
  await getVectorStoreFile(deps.store.db, ref);
  const row = await updateVectorStoreFileRow(deps.store.db, ref, { attributes: attributes === null ? null : toJson(attributes) });
  return row ?? getVectorStoreFile(deps.store.db, ref); // detached meanwhile: 404
}

/** The store's files (or a batch's: scope.batchId), optionally of one status. The store must exist. */
export async function listVectorStoreFiles(
  deps: VectorStoresDeps,
  scope: VectorStoreFileScope,
  query: ListQuery,
): Promise<{ rows: VectorStoreFileRow[]; hasMore: boolean }> {
  const db = deps.store.db;
  await getVectorStore(db, scope.tenantId, scope.vectorStoreId);
  return paginate({
    query,
    fetch: (window) => listVectorStoreFileRows(db, scope, window),
    seqOf: (id) => findVectorStoreFileSeq(db, scope, id),
  });
}

/** Detaches the file from the store and drops its chunks; the file itself stays. */
export async function deleteVectorStoreFile(deps: VectorStoresDeps, ref: VectorStoreFileRef): Promise<void> {
  const { db, dialect } = deps.store;
  await getVectorStoreFile(db, ref);
  await db.transaction().execute(async (trx) => {
    // Row first: on PostgreSQL this waits for a worker committing this file's chunks, which are then removed too.
    if (!(await deleteVectorStoreFileRow(trx, ref))) return;
    await removeFileChunks(trx, dialect, { vectorStoreId: ref.vectorStoreId, fileId: ref.fileId });
  });
}

/** The parsed text of an attached file (GET …/files/{file_id}/content): one text item. */
export async function retrieveVectorStoreFileContent(
  deps: VectorStoresDeps & Pick<Deps, 'storage'>,
  ref: VectorStoreFileRef,
): Promise<Array<{ type: 'text'; text: string }>> {
  await getVectorStoreFile(deps.store.db, ref);
  const file = await getFile(deps.store.db, ref.tenantId, ref.fileId);
  try {
    const text = await extractText({ filename: file.filename, bytes: await readFileBytes(deps, file) });
    return [{ type: 'text', text }];
  } catch (err) {
    if (err instanceof UnsupportedFileTypeError || err instanceof ExtractionError)
      throw invalidRequest(err.message, 'file_id', err instanceof UnsupportedFileTypeError ? 'unsupported_file' : 'invalid_file');
    throw err;
  }
}
