import type { Db } from '../database.js';
import type { NewUsageBucketRow, UsageBucketRow } from '../tables/usage-buckets.table.js';

/** Rows per INSERT: 10 columns each stays well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/**
 * Adds the rows' counters to the stored minute buckets (insert, or add on conflict). The same
 * statement runs on SQLite and PostgreSQL. Pass a transaction to make a multi-chunk write atomic.
 */
export async function upsertUsageBuckets(db: Db, rows: readonly NewUsageBucketRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('usage_buckets')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'bucket_start', 'api_key_id', 'model']).doUpdateSet((eb) => ({
          input_tokens: eb('usage_buckets.input_tokens', '+', eb.ref('excluded.input_tokens')),
          input_cached_tokens: eb('usage_buckets.input_cached_tokens', '+', eb.ref('excluded.input_cached_tokens')),
          output_tokens: eb('usage_buckets.output_tokens', '+', eb.ref('excluded.output_tokens')),
          reasoning_tokens: eb('usage_buckets.reasoning_tokens', '+', eb.ref('excluded.reasoning_tokens')),
          num_model_requests: eb('usage_buckets.num_model_requests', '+', eb.ref('excluded.num_model_requests')),
          cost_usd: eb('usage_buckets.cost_usd', '+', eb.ref('excluded.cost_usd')),
        })),
      )
      .execute();
  }
}

export interface UsageBucketQuery {
  /** null: every tenant (an admin key's organization-wide view). */
  tenantId: string | null;
  /** Unix seconds, inclusive. */
  start: number;
  /** Unix seconds, exclusive. */
  end: number;
  /** Only these API keys; undefined or empty means all. */
  apiKeyIds?: readonly string[];
  /** Only these models; undefined or empty means all. */
  models?: readonly string[];
}

/** One tenant's (or every tenant's) minute buckets in [start, end), oldest first. */
export async function queryUsageBuckets(db: Db, q: UsageBucketQuery): Promise<UsageBucketRow[]> {
  let query = db
    .selectFrom('usage_buckets')
    .selectAll()
    .where('bucket_start', '>=', q.start)
    .where('bucket_start', '<', q.end);
  if (q.tenantId !== null) query = query.where('tenant_id', '=', q.tenantId);
  if (q.apiKeyIds?.length) query = query.where('api_key_id', 'in', [...q.apiKeyIds]);
  if (q.models?.length) query = query.where('model', 'in', [...q.models]);
  return query.orderBy('bucket_start').orderBy('api_key_id').orderBy('model').execute();
}
