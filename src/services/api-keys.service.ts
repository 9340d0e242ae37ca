import { notFound } from '../errors.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import {
  deleteApiKeyRow,
  findApiKey,
  findApiKeySeq,
  listApiKeyRows,
  type ApiKeyWithOwner,
} from '../store/repos/api-keys.repo.js';
import { getProject, type OrganizationDeps } from './projects.service.js';

/** A project's API keys: list, retrieve, delete (a deleted key is refused on every instance within the key cache's bound). */

export async function retrieveApiKey(deps: OrganizationDeps, projectId: string, keyId: string): Promise<ApiKeyWithOwner> {
  await getProject(deps.store.db, projectId);
  const row = await findApiKey(deps.store.db, projectId, keyId);
  if (!row) throw notFound('API key', keyId);
  return row;
}

export async function listApiKeys(deps: OrganizationDeps, projectId: string, query: ListQuery) {
  const db = deps.store.db;
  await getProject(db, projectId);
  return paginate({
    query,
    fetch: (window) => listApiKeyRows(db, projectId, window),
    seqOf: (id) => findApiKeySeq(db, projectId, id),
  });
}

export async function deleteApiKey(deps: OrganizationDeps, projectId: string, keyId: string): Promise<void> {
  await getProject(deps.store.db, projectId);
  if (!(await deleteApiKeyRow(deps.store.db, projectId, keyId))) throw notFound('API key', keyId);
}
