import type { Insertable, Selectable } from 'kysely';

/** Token usage summed per tenant, API key, model and minute; coarser buckets are sums of these. */
export interface UsageBucketsTable {
  tenant_id: string;
  api_key_id: string;
  model: string;
  /** Unix seconds, aligned to the minute. */
  bucket_start: number;
  input_tokens: number;
  input_cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  num_model_requests: number;
  cost_usd: number;
}

export type UsageBucketRow = Selectable<UsageBucketsTable>;
export type NewUsageBucketRow = Insertable<UsageBucketsTable>;
