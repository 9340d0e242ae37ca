import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { ApiKeyRow, NewApiKeyRow } from '../tables/api-keys.table.js';

/** A project's API key with its owner (a service account), as the API shows it. */
export interface ApiKeyWithOwner extends ApiKeyRow {
  owner_name: string;
  owner_role: string;
  owner_created_at: number;
}

export async function insertApiKey(db: Db, row: NewApiKeyRow): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

/** The import at start: inserts the configured key, or moves it to the project the configuration now names. */
export async function upsertApiKey(db: Db, row: NewApiKeyRow): Promise<void> {
  await db
    .insertInto('api_keys')
    .values(row)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ project_id: row.project_id, owner_id: row.owner_id, name: row.name, redacted_value: row.redacted_value }),
    )
    .execute();
}

function withOwner(db: Db, projectId?: string) {
  const q = db
    .selectFrom('api_keys')
    .innerJoin('service_accounts', 'service_accounts.id', 'api_keys.owner_id')
    .selectAll('api_keys')
    .select([
      'service_accounts.name as owner_name',
      'service_accounts.role as owner_role',
      'service_accounts.created_at as owner_created_at',
    ]);
  return projectId === undefined ? q : q.where('api_keys.project_id', '=', projectId);
}

export function findApiKey(db: Db, projectId: string, id: string): Promise<ApiKeyWithOwner | undefined> {
  return withOwner(db, projectId).where('api_keys.id', '=', id).executeTakeFirst();
}

export function listApiKeyRows(db: Db, projectId: string, window: SeqWindow): Promise<ApiKeyWithOwner[]> {
  return applySeqWindow(withOwner(db, projectId), 'api_keys.seq', window).execute();
}

export async function findApiKeySeq(db: Db, projectId: string, id: string): Promise<number | undefined> {
  const row = await db.selectFrom('api_keys').select('seq').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  return row?.seq;
}

/** Deletes the project's key. True when a row was deleted. */
export async function deleteApiKeyRow(db: Db, projectId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('api_keys').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The project of a key, whatever its project (the CLI's `keys revoke <id>`). */
export async function findApiKeyProject(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('api_keys').select('project_id').where('id', '=', id).executeTakeFirst();
  return row?.project_id;
}

/** Records that the keys were used at `at` (unix seconds). */
export async function touchApiKeys(db: Db, ids: readonly string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', 'in', [...ids]).execute();
}

/** Every project's keys, or one project's, oldest first (the CLI's `keys list`). */
export function listAllApiKeyRows(db: Db, projectId?: string): Promise<ApiKeyWithOwner[]> {
  return withOwner(db, projectId).orderBy('api_keys.seq').execute();
}

/** Deletes the keys imported from the configuration but `keep`; their ids. */
export async function deleteImportedApiKeysExcept(db: Db, keep: readonly string[]): Promise<string[]> {
  let q = db.deleteFrom('api_keys').where('imported', '=', 1);
  if (keep.length) q = q.where('id', 'not in', [...keep]);
  return (await q.returning('id').execute()).map((r) => r.id);
}
