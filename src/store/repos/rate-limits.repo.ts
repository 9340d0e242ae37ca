import { sql } from 'kysely';
import type { Db } from '../database.js';
import type { ProjectRateLimitRow } from '../tables/rate-limits.table.js';

/** A project's limits, by model. */
export function listRateLimitRows(db: Db, projectId: string): Promise<ProjectRateLimitRow[]> {
  return db.selectFrom('project_rate_limits').selectAll().where('project_id', '=', projectId).orderBy('model').execute();
}

/** Creates or replaces a project's limits on one model. */
export function upsertRateLimitRow(db: Db, row: ProjectRateLimitRow): Promise<ProjectRateLimitRow> {
  const { project_id: _p, model: _m, ...limits } = row;
  return db
    .insertInto('project_rate_limits')
    .values(row)
    .onConflict((oc) => oc.columns(['project_id', 'model']).doUpdateSet(limits))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Adds to several counters in one statement and returns their new values, in `counters`' order: the database
 * does the addition under the row's lock, so instances sharing it never lose each other's counts.
 */
export async function addToCounters(db: Db, counters: { key: string; window_start: number; value: number }[]): Promise<number[]> {
  if (counters.length === 0) return [];
  const rows = await db
    .insertInto('rate_limit_counters')
    .values(counters)
    .onConflict((oc) =>
      oc.columns(['key', 'window_start']).doUpdateSet({ value: sql<number>`rate_limit_counters.value + excluded.value` }),
    )
    .returning(['key', 'window_start', 'value'])
    .execute();
  const byKey = new Map(rows.map((r) => [`${r.key}@${r.window_start}`, Number(r.value)]));
  return counters.map((c) => byKey.get(`${c.key}@${c.window_start}`) ?? 0);
}

/** Drops windows that ended before `before` (unix seconds). */
export async function deleteCountersBefore(db: Db, before: number): Promise<void> {
  await db.deleteFrom('rate_limit_counters').where('window_start', '<', before).execute();
}

/** A project's model spend in USD since `since` (unix seconds), from the flushed usage buckets. */
export async function sumSpendSince(db: Db, tenantId: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('usage_buckets')
    .select((eb) => eb.fn.sum<number | string | null>('cost_usd').as('usd'))
    .where('tenant_id', '=', tenantId)
    .where('bucket_start', '>=', since)
    .executeTakeFirst();
  return Number(row?.usd ?? 0);
}
