import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface VectorStoresTable {
  id: string;
  tenant_id: string;
  seq: number;
  created_at: number;
  name: string | null;
  description: string | null;
  metadata: string;
  /** JSON `{anchor: 'last_active_at', days}`, or null: never expires. */
  expires_after: string | null;
  expires_at: number | null;
  last_active_at: number | null;
}
export type VectorStoreRow = Selectable<VectorStoresTable>;
export type NewVectorStoreRow = Insertable<VectorStoresTable>;
export type VectorStoreUpdate = Updateable<VectorStoresTable>;

export type VectorStoreFileStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed';

/** A file attached to a vector store; `id` is the file's id, unique within its store. */
export interface VectorStoreFilesTable {
  id: string;
  vector_store_id: string;
  tenant_id: string;
  seq: number;
  created_at: number;
  status: VectorStoreFileStatus;
  /** JSON `{code, message}` when the file failed. */
  last_error: string | null;
  usage_bytes: Generated<number>;
  /** JSON, always the static form: `{type:'static', static:{max_chunk_size_tokens, chunk_overlap_tokens}}`. */
  chunking_strategy: string;
  /** JSON map of string | number | boolean, or null. */
  attributes: string | null;
  batch_id: string | null;
  /** Ingestion lease: which worker indexes the file, until when (unix ms). */
  lease_owner: string | null;
  lease_expires_at: number | null;
  /** Times a worker picked the file up (recoveries after a crash add one). */
  attempts: Generated<number>;
  /** While indexing: the file's chunks once it is chunked (null before), and how many are embedded and stored. */
  chunks_total: number | null;
  chunks_indexed: Generated<number>;
}
export type VectorStoreFileRow = Selectable<VectorStoreFilesTable>;
export type NewVectorStoreFileRow = Insertable<VectorStoreFilesTable>;
export type VectorStoreFileUpdate = Updateable<VectorStoreFilesTable>;

export type VectorStoreFileBatchStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed';

export interface VectorStoreFileBatchesTable {
  id: string;
  vector_store_id: string;
  tenant_id: string;
  seq: number;
  created_at: number;
  status: VectorStoreFileBatchStatus;
}
export type VectorStoreFileBatchRow = Selectable<VectorStoreFileBatchesTable>;
export type NewVectorStoreFileBatchRow = Insertable<VectorStoreFileBatchesTable>;

/** Files of a store or batch per status, as the wire objects' `file_counts`. */
export interface FileCounts {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}
