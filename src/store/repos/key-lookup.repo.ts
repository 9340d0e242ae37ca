import type { Db } from '../database.js';

/** What a bearer key's hash is: a usable project key, an admin key, or nothing. */
export type KeyMatch =
  | { kind: 'project'; id: string; projectId: string; expiresAt: number | null }
  | { kind: 'admin'; id: string; expiresAt: number | null };

/**
 * The key with this sha256 that is usable at `now` (unix seconds): not expired, and for a project key, its
 * project not archived. Two indexed lookups by the unique hash.
 */
export async function findKeyByHash(db: Db, hash: string, now: number): Promise<KeyMatch | undefined> {
  const key = await db
    .selectFrom('api_keys')
    .innerJoin('projects', 'projects.id', 'api_keys.project_id')
    .select(['api_keys.id', 'api_keys.project_id', 'api_keys.expires_at'])
    .where('api_keys.key_hash', '=', hash)
    .where('projects.archived_at', 'is', null)
    .where((eb) => eb.or([eb('api_keys.expires_at', 'is', null), eb('api_keys.expires_at', '>', now)]))
    .executeTakeFirst();
  if (key) return { kind: 'project', id: key.id, projectId: key.project_id, expiresAt: key.expires_at };
  const admin = await db
    .selectFrom('admin_api_keys')
    .select(['id', 'expires_at'])
    .where('key_hash', '=', hash)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  return admin && { kind: 'admin', id: admin.id, expiresAt: admin.expires_at };
}

/** True when the database holds any key at all (no key anywhere: open mode). */
export async function anyKeyStored(db: Db): Promise<boolean> {
  const key = await db.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
  if (key) return true;
  return (await db.selectFrom('admin_api_keys').select('id').limit(1).executeTakeFirst()) !== undefined;
}
