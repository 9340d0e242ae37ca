import type { AdminKey, ApiKey } from '../config.js';
import type { Db } from '../store/database.js';
import { deleteImportedAdminApiKeysExcept, insertAdminApiKeyIfMissing } from '../store/repos/admin-api-keys.repo.js';
import { deleteImportedApiKeysExcept, upsertApiKey } from '../store/repos/api-keys.repo.js';
import { insertProjectIfMissing } from '../store/repos/projects.repo.js';
import { deleteServiceAccountRows, upsertServiceAccount } from '../store/repos/service-accounts.repo.js';
import { nextSeq } from '../store/seq.js';

/**
 * The keys of the environment and the YAML, imported into the database at every start, idempotently (the same ids
 * each time, on any number of instances). A key's tenant becomes a project whose id *is* that tenant string (the
 * YAML `tenant`, else the key's own `key_<hash16>` id), so every row already stored under it stays reachable;
 * each key gets a service account of its own (`svc_acct_<hash16>`), since every project key has an owner. Open mode
 * (no key configured) gets its tenant `default` as a project, so a first key can be made for the data already there.
 * A key imported before and no longer configured is deleted (with its service account): removing a key from the
 * configuration revokes it, as before keys were data.
 */
/** The service account of a configured key: `svc_acct_` and the key id's hash part. */
const ownerOf = (keyId: string) => 'svc_acct_' + keyId.slice('key_'.length);

export async function importConfiguredKeys(
  db: Db,
  opts: { keys: readonly ApiKey[]; adminKeys: readonly AdminKey[]; openMode: boolean; nowMs: number },
): Promise<void> {
  const createdAt = Math.floor(opts.nowMs / 1000);
  const project = (id: string, name: string) =>
    insertProjectIfMissing(db, { id, name, status: 'active', created_at: createdAt, archived_at: null, seq: nextSeq(opts.nowMs) });
  if (opts.openMode) await project('default', 'default');
  for (const k of opts.keys) {
    await project(k.tenant, k.tenant === k.id ? k.name : k.tenant);
    const ownerId = ownerOf(k.id);
    await upsertServiceAccount(db, { id: ownerId, project_id: k.tenant, name: k.name, role: 'member', created_at: createdAt, seq: nextSeq(opts.nowMs) });
    await upsertApiKey(db, {
      id: k.id,
      project_id: k.tenant,
      owner_id: ownerId,
      name: k.name,
      key_hash: k.hash,
      redacted_value: k.redacted,
      created_at: createdAt,
      last_used_at: null,
      expires_at: null,
      imported: 1,
      seq: nextSeq(opts.nowMs),
    });
  }
  const removed = await deleteImportedApiKeysExcept(db, opts.keys.map((k) => k.id));
  await deleteServiceAccountRows(db, removed.map(ownerOf));
  await deleteImportedAdminApiKeysExcept(db, opts.adminKeys.map((k) => k.id));
  for (const k of opts.adminKeys)
    await insertAdminApiKeyIfMissing(db, {
      id: k.id,
      name: k.name,
      key_hash: k.hash,
      redacted_value: k.redacted,
      created_at: createdAt,
      last_used_at: null,
      expires_at: null,
      imported: 1,
      seq: nextSeq(opts.nowMs),
    });
}
