import { invalidRequest, notFound } from '../errors.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import { insertApiKey } from '../store/repos/api-keys.repo.js';
import {
  deleteServiceAccountRow,
  findServiceAccount,
  findServiceAccountSeq,
  insertServiceAccount,
  listServiceAccountRows,
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
  if (params.expires_at != null && params.expires_at <= createdAt)
    throw invalidRequest("Invalid 'expires_at': it must be a unix time in the future.", 'expires_at', 'invalid_value');
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
    const secret = newSecret('sk-svcacct-');
    const row: ApiKeyRow = {
      id: deps.ids('key'),
      project_id: projectId,
      owner_id: account.id,
      name: 'Secret Key',
      key_hash: secret.hash,
      redacted_value: secret.redacted,
      created_at: createdAt,
      last_used_at: null,
      expires_at: params.expires_at ?? null,
      imported: 0,
      seq: nextSeq(nowMs),
    };
    await insertApiKey(trx, row);
    return { account, key: { row, value: secret.value } };
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
