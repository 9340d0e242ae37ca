import type { VectorStore, VectorStoreDeleted, VectorStoreSearchResponse } from 'openai/resources/vector-stores/vector-stores';
import type { VectorStoreFile, VectorStoreFileDeleted } from 'openai/resources/vector-stores/files';
import type { VectorStoreFileBatch } from 'openai/resources/vector-stores/file-batches';
import { fromJson } from './json.js';
import type { FileStats } from './repos/vector-stores.repo.js';
import type { VectorStoreFileBatchRow, VectorStoreFileRow, VectorStoreRow } from './tables/vector-stores.table.js';

/** Row (+ counts from a GROUP BY) → wire object. Statuses of stores and batches are derived, not stored. */

/** expired once expires_at has passed; in_progress while any file is being indexed; completed otherwise. */
export function vectorStoreStatus(row: VectorStoreRow, stats: FileStats, nowS: number): VectorStore['status'] {
  if (row.expires_at !== null && Number(row.expires_at) <= nowS) return 'expired';
  return stats.fileCounts.in_progress > 0 ? 'in_progress' : 'completed';
}

export function toVectorStoreObject(row: VectorStoreRow, stats: FileStats, nowS: number): VectorStore {
  const expiresAfter = fromJson<VectorStore.ExpiresAfter | null>(row.expires_after, null);
  return {
    id: row.id,
    object: 'vector_store',
    created_at: Number(row.created_at),
    name: row.name ?? '',
    usage_bytes: stats.usageBytes,
    file_counts: { ...stats.fileCounts },
    status: vectorStoreStatus(row, stats, nowS),
    ...(expiresAfter && { expires_after: expiresAfter }),
    expires_at: row.expires_at === null ? null : Number(row.expires_at),
    last_active_at: row.last_active_at === null ? null : Number(row.last_active_at),
    metadata: fromJson<Record<string, string>>(row.metadata, {}),
  };
}

/**
 * How far indexing a file got, while it is in progress: Switchboard's own addition to VectorStoreFile (the SDKs keep
 * fields they do not know). `total_chunks` is null until the file is extracted and chunked.
 */
export interface IndexingProgress {
  total_chunks: number | null;
  indexed_chunks: number;
}

export type VectorStoreFileObject = VectorStoreFile & { indexing_progress?: IndexingProgress };

export function toVectorStoreFileObject(row: VectorStoreFileRow): VectorStoreFileObject {
  const progress: IndexingProgress | undefined =
    row.status === 'in_progress'
      ? { total_chunks: row.chunks_total === null ? null : Number(row.chunks_total), indexed_chunks: Number(row.chunks_indexed) }
      : undefined;
  return {
    id: row.id,
    object: 'vector_store.file',
    usage_bytes: Number(row.usage_bytes),
    created_at: Number(row.created_at),
    vector_store_id: row.vector_store_id,
    status: row.status,
    last_error: fromJson<VectorStoreFile.LastError | null>(row.last_error, null),
    chunking_strategy: fromJson<NonNullable<VectorStoreFile['chunking_strategy']>>(row.chunking_strategy, { type: 'other' }),
    attributes: fromJson<VectorStoreFile['attributes']>(row.attributes, null),
    ...(progress && { indexing_progress: progress }),
  };
}

/** cancelled once cancelled; in_progress while any of its files is; completed otherwise. */
export function toVectorStoreFileBatchObject(row: VectorStoreFileBatchRow, stats: FileStats): VectorStoreFileBatch {
  const status =
    row.status === 'cancelled' || row.status === 'failed'
      ? row.status
      : stats.fileCounts.in_progress > 0
        ? 'in_progress'
        : 'completed';
  return {
    id: row.id,
    object: 'vector_store.files_batch',
    created_at: Number(row.created_at),
    vector_store_id: row.vector_store_id,
    status,
    file_counts: { ...stats.fileCounts },
  };
}

export const toVectorStoreDeleted = (id: string): VectorStoreDeleted => ({ id, object: 'vector_store.deleted', deleted: true });
export const toVectorStoreFileDeleted = (id: string): VectorStoreFileDeleted => ({
  id,
  object: 'vector_store.file.deleted',
  deleted: true,
});

/** One search result as POST …/search returns it. */
export function toSearchResultItem(hit: {
  fileId: string;
  filename: string;
  score: number;
  attributes: VectorStoreSearchResponse['attributes'];
  text: string;
}): VectorStoreSearchResponse {
  return {
    file_id: hit.fileId,
    filename: hit.filename,
    score: hit.score,
    attributes: hit.attributes,
    content: [{ type: 'text', text: hit.text }],
  };
}
