import { invalidRequest, notFound } from '../errors.js';
import type { Db } from '../store/database.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import { insertApiKey } from '../store/repos/api-keys.repo.js';
import {
  deleteServiceAccountRow,
  findServiceAccount,
  findServiceAccountSeq,
  insertServiceAccount,
  listServiceAccountRows,
  renameServiceAccount,
} from '../store/repos/service-accounts.repo.js';
import { nextSeq } from '../store/seq.js';
import type { ApiKeyRow } from '../store/tables/api-keys.table.js';
import type { ServiceAccountRow } from '../store/tables/projects.table.js';
import { newSecret } from './key-secrets.js';
import { getActiveProject, getProject, type OrganizationDeps } from './projects.service.js';

/**
 * A project's service accounts. Creating one creates its API key (the way to get a project key, as on OpenAI),
 * whose value is returned this once; only its sha256 is stored.
 */

export interface CreateServiceAccountParams {
  name: string;
  create_service_account_only?: boolean | null;
  /** Switchboard's extension: unix seconds after which the key is refused. */
  expires_at?: number | null;
}

export interface CreatedServiceAccount {
  account: ServiceAccountRow;
  key: { row: ApiKeyRow; value: string } | null;
}

export async function createServiceAccount(
  deps: OrganizationDeps,
  projectId: string,
  params: CreateServiceAccountParams,
): Promise<CreatedServiceAccount> {
  const nowMs = deps.clock.now();
  const createdAt = Math.floor(nowMs / 1000);
  const keyless = params.create_service_account_only === true;
  checkExpiry(params.expires_at, nowMs);
  return deps.store.db.transaction().execute(async (trx) => {
    await getActiveProject(trx, projectId);
    const account = await insertServiceAccount(trx, {
      id: deps.ids('svc_acct'),
      project_id: projectId,
      name: params.name,
      role: keyless ? 'none' : 'member',
      created_at: createdAt,
      seq: nextSeq(nowMs),
    });
    if (keyless) return { account, key: null };
    const key = await insertKey(trx, { deps, account, name: 'Secret Key', expiresAt: params.expires_at ?? null, nowMs });
    return { account, key };
  });
}

/** A new key of the service account, stored as its hash; its value is returned this once. */
async function insertKey(
  db: Db,
  o: { deps: OrganizationDeps; account: ServiceAccountRow; name: string; expiresAt: number | null; nowMs: number },
): Promise<{ row: ApiKeyRow; value: string }> {
  const secret = newSecret('sk-svcacct-');
  const row: ApiKeyRow = {
    id: o.deps.ids('key'),
    project_id: o.account.project_id,
    owner_id: o.account.id,
    name: o.name,
    key_hash: secret.hash,
    redacted_value: secret.redacted,
    created_at: Math.floor(o.nowMs / 1000),
    last_used_at: null,
    expires_at: o.expiresAt,
    imported: 0,
    seq: nextSeq(o.nowMs),
  };
  await insertApiKey(db, row);
  return { row, value: secret.value };
}

function checkExpiry(expiresAt: number | null | undefined, nowMs: number): void {
  if (expiresAt != null && expiresAt <= Math.floor(nowMs / 1000))
    throw invalidRequest("Invalid 'expires_at': it must be a unix time in the future.", 'expires_at', 'invalid_value');
}

/** POST …/service_accounts/{id}/api_keys: another key for the service account (`expires_at` as on create). */
export async function createServiceAccountKey(
  deps: OrganizationDeps,
  ref: { projectId: string; serviceAccountId: string },
  params: { name?: string | null; expires_at?: number | null },
): Promise<{ row: ApiKeyRow; value: string }> {
  const nowMs = deps.clock.now();
  checkExpiry(params.expires_at, nowMs);
  return deps.store.db.transaction().execute(async (trx) => {
    await getActiveProject(trx, ref.projectId);
    const account = await findServiceAccount(trx, ref.projectId, ref.serviceAccountId);
    if (!account) throw notFound('service account', ref.serviceAccountId);
    return insertKey(trx, { deps, account, name: params.name ?? 'Secret Key', expiresAt: params.expires_at ?? null, nowMs });
  });
}

export async function retrieveServiceAccount(deps: OrganizationDeps, projectId: string, id: string): Promise<ServiceAccountRow> {
  await getProject(deps.store.db, projectId);
  const row = await findServiceAccount(deps.store.db, projectId, id);
  if (!row) throw notFound('service account', id);
  return row;
}

export async function listServiceAccounts(deps: OrganizationDeps, projectId: string, query: ListQuery) {
  const db = deps.store.db;
  await getProject(db, projectId);
  return paginate({
    query,
    fetch: (window) => listServiceAccountRows(db, projectId, window),
    seqOf: (id) => findServiceAccountSeq(db, projectId, id),
  });
}

/** Deletes the service account and its keys. */
export async function deleteServiceAccount(deps: OrganizationDeps, projectId: string, id: string): Promise<void> {
  await getProject(deps.store.db, projectId);
  if (!(await deleteServiceAccountRow(deps.store.db, projectId, id))) throw notFound('service account', id);
}

/** POST …/service_accounts/{id}: renames it (`role` is not Switchboard's to change: every account is a member). */
export async function updateServiceAccount(
  deps: OrganizationDeps,
  ref: { projectId: string; serviceAccountId: string },
  params: { name?: string | null },
): Promise<ServiceAccountRow> {
  await getActiveProject(deps.store.db, ref.projectId);
  const row =
    params.name == null
      ? await findServiceAccount(deps.store.db, ref.projectId, ref.serviceAccountId)
      : await renameServiceAccount(deps.store.db, ref.projectId, ref.serviceAccountId, params.name);
  if (!row) throw notFound('service account', ref.serviceAccountId);
  return row;
}
