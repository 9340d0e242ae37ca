import type { Insertable, Selectable } from 'kysely';

/** What a usage_meters row counts. */
export type Meter = 'embeddings' | 'file_search_calls' | 'code_interpreter_sessions';

/**
 * Tool and embeddings usage summed per tenant, meter, API key, subject and minute. `subject` is the
 * embeddings model or the vector store a file_search call searched ('' when there is none).
 */
export interface UsageMetersTable {
  tenant_id: string;
  meter: Meter;
  /** '' for usage no API key asked for directly (indexing a file). */
  api_key_id: string;
  subject: string;
  /** Unix seconds, aligned to the minute. */
  bucket_start: number;
  /** Tokens (embeddings), calls or sessions. */
  quantity: number;
  num_requests: number;
  cost_usd: number;
}

/** One sample of a tenant's vector store bytes; it stands for `seconds` from bucket_start. */
export interface VectorStoreStorageTable {
  tenant_id: string;
  /** Unix seconds, aligned to the sampling interval. */
  bucket_start: number;
  seconds: number;
  usage_bytes: number;
  cost_usd: number;
}

export type UsageMeterRow = Selectable<UsageMetersTable>;
export type NewUsageMeterRow = Insertable<UsageMetersTable>;
export type VectorStoreStorageRow = Selectable<VectorStoreStorageTable>;
export type NewVectorStoreStorageRow = Insertable<VectorStoreStorageTable>;
