import { notFound } from '../errors.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import {
  deleteAdminApiKeyRow,
  findAdminApiKey,
  findAdminApiKeySeq,
  insertAdminApiKey,
  listAdminApiKeyRows,
} from '../store/repos/admin-api-keys.repo.js';
import { nextSeq } from '../store/seq.js';
import type { AdminApiKeyRow } from '../store/tables/api-keys.table.js';
import { newSecret } from './key-secrets.js';
import type { OrganizationDeps } from './projects.service.js';

/** The organization's admin keys: they reach /v1/organization/… only. The value is returned once, on create. */

export async function createAdminApiKey(
  deps: OrganizationDeps,
  params: { name: string; expires_in_seconds?: number | null },
): Promise<{ row: AdminApiKeyRow; value: string }> {
  const nowMs = deps.clock.now();
  const createdAt = Math.floor(nowMs / 1000);
  const secret = newSecret('sk-admin-');
  const row: AdminApiKeyRow = {
    id: deps.ids('key'),
    name: params.name,
    key_hash: secret.hash,
    redacted_value: secret.redacted,
    created_at: createdAt,
    last_used_at: null,
    expires_at: params.expires_in_seconds == null ? null : createdAt + params.expires_in_seconds,
    imported: 0,
    seq: nextSeq(nowMs),
  };
  await insertAdminApiKey(deps.store.db, row);
  return { row, value: secret.value };
}

export async function retrieveAdminApiKey(deps: OrganizationDeps, id: string): Promise<AdminApiKeyRow> {
  const row = await findAdminApiKey(deps.store.db, id);
  if (!row) throw notFound('admin API key', id);
  return row;
}

export function listAdminApiKeys(deps: OrganizationDeps, query: ListQuery) {
  const db = deps.store.db;
  return paginate({ query, fetch: (window) => listAdminApiKeyRows(db, window), seqOf: (id) => findAdminApiKeySeq(db, id) });
}

export async function deleteAdminApiKey(deps: OrganizationDeps, id: string): Promise<void> {
  if (!(await deleteAdminApiKeyRow(deps.store.db, id))) throw notFound('admin API key', id);
}
