import type { Db } from '../database.js';
import type {
  Meter,
  NewUsageMeterRow,
  NewVectorStoreStorageRow,
  UsageMeterRow,
  VectorStoreStorageRow,
} from '../tables/usage-meters.table.js';

/** Rows per INSERT, well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/** Adds the rows' counters to the stored minute buckets (insert, or add on conflict), on both dialects. */
export async function upsertUsageMeters(db: Db, rows: readonly NewUsageMeterRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('usage_meters')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'bucket_start', 'meter', 'api_key_id', 'subject']).doUpdateSet((eb) => ({
          quantity: eb('usage_meters.quantity', '+', eb.ref('excluded.quantity')),
          num_requests: eb('usage_meters.num_requests', '+', eb.ref('excluded.num_requests')),
          cost_usd: eb('usage_meters.cost_usd', '+', eb.ref('excluded.cost_usd')),
        })),
      )
      .execute();
  }
}

export interface UsageMeterQuery {
  /** null: every tenant (an admin key's organization-wide view). */
  tenantId: string | null;
  /** Undefined: every meter. */
  meter?: Meter;
  /** Unix seconds, inclusive. */
  start: number;
  /** Unix seconds, exclusive. */
  end: number;
  /** Only these API keys; undefined or empty means all. */
  apiKeyIds?: readonly string[];
  /** Only these subjects (models, vector stores); undefined or empty means all. */
  subjects?: readonly string[];
}

/** One tenant's (or every tenant's) meter rows in [start, end), oldest first. */
export async function queryUsageMeters(db: Db, q: UsageMeterQuery): Promise<UsageMeterRow[]> {
  let query = db
    .selectFrom('usage_meters')
    .selectAll()
    .where('bucket_start', '>=', q.start)
    .where('bucket_start', '<', q.end);
  if (q.tenantId !== null) query = query.where('tenant_id', '=', q.tenantId);
  if (q.meter) query = query.where('meter', '=', q.meter);
  if (q.apiKeyIds?.length) query = query.where('api_key_id', 'in', [...q.apiKeyIds]);
  if (q.subjects?.length) query = query.where('subject', 'in', [...q.subjects]);
  return query.orderBy('bucket_start').orderBy('meter').orderBy('api_key_id').orderBy('subject').execute();
}

/** Bytes each tenant keeps in vector stores now (tenants with none are left out). */
export async function storedVectorBytes(db: Db): Promise<Array<{ tenantId: string; bytes: number }>> {
  const rows = await db
    .selectFrom('vector_store_files')
    .select((eb) => ['tenant_id', eb.fn.sum<number | string | null>('usage_bytes').as('bytes')])
    .groupBy('tenant_id')
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, bytes: Number(r.bytes ?? 0) })).filter((r) => r.bytes > 0);
}

/** Writes samples; a slot sampled twice (a restart, another instance) keeps the latest reading. */
export async function upsertStorageSamples(db: Db, rows: readonly NewVectorStoreStorageRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('vector_store_storage')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'bucket_start']).doUpdateSet((eb) => ({
          usage_bytes: eb.ref('excluded.usage_bytes'),
          seconds: eb.ref('excluded.seconds'),
          cost_usd: eb.ref('excluded.cost_usd'),
        })),
      )
      .execute();
  }
}

/** One tenant's (null: every tenant's) storage samples in [start, end), oldest first. */
export async function queryStorageSamples(
  db: Db,
  q: { tenantId: string | null; start: number; end: number },
): Promise<VectorStoreStorageRow[]> {
  let query = db.selectFrom('vector_store_storage').selectAll().where('bucket_start', '>=', q.start).where('bucket_start', '<', q.end);
  if (q.tenantId !== null) query = query.where('tenant_id', '=', q.tenantId);
  return query.orderBy('bucket_start').execute();
}
