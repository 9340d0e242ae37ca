import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { removeFileChunks } from '../retrieval/chunk-index.js';
import { FileTooLargeError } from '../storage/file-storage.js';
import type { Db, DialectName } from '../store/database.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import { deleteFileRow, findFile, findFileSeq, insertFile, listExpiredFiles, listFileRows } from '../store/repos/files.repo.js';
import { deleteFileFromAllStores } from '../store/repos/vector-store-files.repo.js';
import { nextSeq } from '../store/seq.js';
import type { FileRow } from '../store/tables/files.table.js';

/** The purposes an upload may have (CreateFileRequest.purpose). */
export const FILE_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;
export type FilePurpose = (typeof FILE_PURPOSES)[number];

export type FilesDeps = Pick<Deps, 'store' | 'storage' | 'clock' | 'ids' | 'log'>;
export interface FileRef {
  tenantId: string;
  fileId: string;
}

/** Bytes already in storage under a fresh file id, not yet recorded: createFile() or discardUpload() it. */
export interface StoredUpload {
  id: string;
  bytes: number;
}

/** OpenAI's 404 for a file: "No such File object: file-…" with param `id`. */
export const fileNotFound = (fileId: string) =>
  new ApiError({ status: 404, message: `No such File object: ${fileId}`, type: 'invalid_request_error', param: 'id' });

export const fileTooLarge = (maxBytes: number) =>
  new ApiError({
    status: 413,
    message: `File is too large: the limit is ${maxBytes} bytes (${+(maxBytes / 1024 / 1024).toFixed(2)} MB).`,
    type: 'invalid_request_error',
    param: 'file',
    code: 'file_too_large',
  });

/** The tenant's file, or 404. Ingestion (vector stores, code interpreter) looks files up through this. */
export async function getFile(db: Db, tenantId: string, fileId: string): Promise<FileRow> {
  const row = await findFile(db, tenantId, fileId);
  if (!row) throw fileNotFound(fileId);
  return row;
}

/** A file's whole content in memory (text extraction, image parts, the code interpreter's session files). */
export async function readFileBytes(deps: Pick<Deps, 'storage'>, row: FileRow): Promise<Buffer> {
  return buffer(await deps.storage.get(row.storage_key));
}

/**
 * Streams an upload into storage under a new file id, never holding it whole. More than `maxBytes`
 * is a 413; a source that fails (the client went away) rejects with its error. Either way nothing is kept.
 */
export async function storeUpload(deps: FilesDeps, source: Readable, maxBytes: number): Promise<StoredUpload> {
  const id = deps.ids('file');
  try {
    const { bytes } = await deps.storage.put(id, source, { maxBytes });
    return { id, bytes };
  } catch (err) {
    if (err instanceof FileTooLargeError) throw fileTooLarge(err.maxBytes);
    throw err;
  }
}

export async function discardUpload(deps: FilesDeps, upload: StoredUpload): Promise<void> {
  await deps.storage.delete(upload.id).catch((err: unknown) => {
    deps.log.warn({ err, fileId: upload.id }, 'could not remove the bytes of a discarded upload');
  });
}

/** Records a stored upload as the tenant's file. */
export async function createFile(
  deps: FilesDeps,
  tenantId: string,
  params: { upload: StoredUpload; filename: string; purpose: FilePurpose | 'assistants_output'; expiresAfterSeconds?: number },
): Promise<FileRow> {
  const nowMs = deps.clock.now();
  const createdAt = Math.floor(nowMs / 1000);
  return insertFile(deps.store.db, {
    id: params.upload.id,
    tenant_id: tenantId,
    seq: nextSeq(nowMs),
    created_at: createdAt,
    bytes: params.upload.bytes,
    filename: params.filename,
    purpose: params.purpose,
    status: 'processed',
    status_details: null,
    expires_at: params.expiresAfterSeconds === undefined ? null : createdAt + params.expiresAfterSeconds,
    storage_key: params.upload.id,
  });
}

export function retrieveFile(deps: FilesDeps, ref: FileRef): Promise<FileRow> {
  return getFile(deps.store.db, ref.tenantId, ref.fileId);
}

export function listFiles(
  deps: FilesDeps,
  tenantId: string,
  opts: { query: ListQuery; purpose?: string },
): Promise<{ rows: FileRow[]; hasMore: boolean }> {
  const db = deps.store.db;
  const { purpose } = opts;
  return paginate({
    query: opts.query,
    fetch: (window) => listFileRows(db, { tenantId, purpose, window }),
    seqOf: (id) => findFileSeq(db, { tenantId, purpose, id }),
  });
}

/**
 * Deletes the row and, in the same transaction, the file's place in every vector store of the
 * tenant (its vector_store_files rows and chunks), then the bytes.
 */
export async function deleteFile(deps: FilesDeps, ref: FileRef): Promise<void> {
  const row = await deps.store.db.transaction().execute(async (trx) => {
    const deleted = await deleteFileRow(trx, ref.tenantId, ref.fileId);
    if (!deleted) throw fileNotFound(ref.fileId);
    await removeFileFromVectorStores(trx, deps.store.dialect, deleted);
    return deleted;
  });
  await deps.storage.delete(row.storage_key).catch((err: unknown) => {
    deps.log.warn({ err, fileId: row.id }, 'could not remove the bytes of a deleted file');
  });
}

/** Inside deleteFile's transaction: detaches the file from every vector store of its tenant and drops its chunks. */
async function removeFileFromVectorStores(trx: Db, dialect: DialectName, file: { tenant_id: string; id: string }): Promise<void> {
  for (const vectorStoreId of await deleteFileFromAllStores(trx, file.tenant_id, file.id))
    await removeFileChunks(trx, dialect, { vectorStoreId, fileId: file.id });
}

/** The file's row and a stream of its bytes. */
export async function openFileContent(deps: FilesDeps, ref: FileRef): Promise<{ row: FileRow; stream: Readable }> {
  const row = await getFile(deps.store.db, ref.tenantId, ref.fileId);
  return { row, stream: await deps.storage.get(row.storage_key) };
}

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
/** OpenAI's vision input limit per image. */
const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/**
 * The tenant's image files as data: URLs, for image_file message parts sent to vision models.
 * Files that are missing, not images or too large are left out (and logged).
 */
export async function imageDataUrls(
  deps: Pick<Deps, 'store' | 'storage' | 'log'>,
  tenantId: string,
  fileIds: readonly string[],
): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const id of fileIds) {
    const row = await findFile(deps.store.db, tenantId, id);
    const mime = row && IMAGE_TYPES[row.filename.split('.').pop()?.toLowerCase() ?? ''];
    if (!row || !mime || Number(row.bytes) > MAX_IMAGE_BYTES) {
      deps.log.warn({ fileId: id }, 'image_file left out of the prompt: missing, not an image, or too large');
      continue;
    }
    urls.set(id, `data:${mime};base64,${(await readFileBytes(deps, row)).toString('base64')}`);
  }
  return urls;
}

/**
 * Deletes the files whose `expires_after` has run out (with their place in vector stores and their
 * bytes), as OpenAI does; returns how many. Another instance sweeping the same file is harmless.
 */
export async function sweepExpiredFiles(deps: FilesDeps, batch = 500): Promise<number> {
  const expired = await listExpiredFiles(deps.store.db, Math.floor(deps.clock.now() / 1000), batch);
  let deleted = 0;
  for (const f of expired) {
    try {
      await deleteFile(deps, { tenantId: f.tenant_id, fileId: f.id });
      deleted++;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
  }
  if (deleted) deps.log.info({ deleted }, 'expired files deleted');
  return deleted;
}
