import { notFound } from '../errors.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import {
  deleteApiKeyRow,
  findApiKey,
  findApiKeyProject,
  findApiKeySeq,
  listAllApiKeyRows,
  listApiKeyRows,
  type ApiKeyWithOwner,
} from '../store/repos/api-keys.repo.js';
import { deleteAdminApiKeyRow } from '../store/repos/admin-api-keys.repo.js';
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

/** Every key of every project, or of one (the CLI). */
export const listAllApiKeys = (deps: OrganizationDeps, projectId?: string) => listAllApiKeyRows(deps.store.db, projectId);

/** Deletes a key by id, whatever its project, or an admin key (the CLI's `keys revoke`). Its kind, or undefined if there is none. */
export async function revokeKey(deps: OrganizationDeps, keyId: string): Promise<'project' | 'admin' | undefined> {
  const projectId = await findApiKeyProject(deps.store.db, keyId);
  if (projectId !== undefined && (await deleteApiKeyRow(deps.store.db, projectId, keyId))) return 'project';
  if (await deleteAdminApiKeyRow(deps.store.db, keyId)) return 'admin';
  return undefined;
}
