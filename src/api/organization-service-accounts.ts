import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { deleteApiKey, listApiKeys, retrieveApiKey } from '../services/api-keys.service.js';
import { getProject } from '../services/projects.service.js';
import {
  createServiceAccount,
  createServiceAccountKey,
  deleteServiceAccount,
  listServiceAccounts,
  retrieveServiceAccount,
  updateServiceAccount,
} from '../services/service-accounts.service.js';
import {
  toProjectApiKeyDeleted,
  toProjectApiKeyObject,
  toServiceAccountApiKey,
  toServiceAccountCreated,
  toServiceAccountDeleted,
  toServiceAccountObject,
} from '../store/serialize-organization.js';
import { adminOnly } from './organization-guard.js';
import { parseListQuery, toListPage } from './pagination.js';
import { parseRequest } from './schemas/common.schema.js';
import { createServiceAccountKeySchema, createServiceAccountSchema, updateServiceAccountSchema } from './schemas/organization.schema.js';

type InProject = { Params: { project_id: string } };
type Account = { Params: { project_id: string; service_account_id: string } };
type Key = { Params: { project_id: string; api_key_id: string } };

/** Lists of the organization API take `after` and `limit`, oldest first. */
const listQuery = (query: unknown) => parseListQuery({ ...(query as object), order: 'asc', before: undefined });

/**
 * /organization/projects/{id}/service_accounts (creating one creates its key, returned once; …/{id}/api_keys
 * makes another) and
 * /organization/projects/{id}/api_keys (list, retrieve, delete). Admin keys only.
 */
export function organizationServiceAccountsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    adminOnly(app);
    const base = '/organization/projects/:project_id';
    app.post<InProject>(`${base}/service_accounts`, async (req) => {
      const created = await createServiceAccount(deps, req.params.project_id, parseRequest(createServiceAccountSchema, req.body));
      return toServiceAccountCreated(created.account, created.key);
    });
    app.post<Account>(`${base}/service_accounts/:service_account_id/api_keys`, async (req) => {
      const ref = { projectId: req.params.project_id, serviceAccountId: req.params.service_account_id };
      const { row, value } = await createServiceAccountKey(deps, ref, parseRequest(createServiceAccountKeySchema, req.body));
      return toServiceAccountApiKey(row, value);
    });
    app.get<InProject>(`${base}/service_accounts`, async (req) => {
      const { rows, hasMore } = await listServiceAccounts(deps, req.params.project_id, listQuery(req.query));
      return toListPage(rows.map(toServiceAccountObject), hasMore);
    });
    app.get<Account>(`${base}/service_accounts/:service_account_id`, async (req) =>
      toServiceAccountObject(await retrieveServiceAccount(deps, req.params.project_id, req.params.service_account_id)),
    );
    app.post<Account>(`${base}/service_accounts/:service_account_id`, async (req) => {
      const ref = { projectId: req.params.project_id, serviceAccountId: req.params.service_account_id };
      return toServiceAccountObject(await updateServiceAccount(deps, ref, parseRequest(updateServiceAccountSchema, req.body)));
    });
    app.delete<Account>(`${base}/service_accounts/:service_account_id`, async (req) => {
      await deleteServiceAccount(deps, req.params.project_id, req.params.service_account_id);
      return toServiceAccountDeleted(req.params.service_account_id);
    });
    app.get<InProject>(`${base}/api_keys`, async (req) => {
      const project = await getProject(deps.store.db, req.params.project_id);
      const { rows, hasMore } = await listApiKeys(deps, project.id, listQuery(req.query));
      return toListPage(rows.map((r) => toProjectApiKeyObject(r, project.archived_at === null)), hasMore);
    });
    app.get<Key>(`${base}/api_keys/:api_key_id`, async (req) => {
      const project = await getProject(deps.store.db, req.params.project_id);
      return toProjectApiKeyObject(await retrieveApiKey(deps, project.id, req.params.api_key_id), project.archived_at === null);
    });
    app.delete<Key>(`${base}/api_keys/:api_key_id`, async (req) => {
      await deleteApiKey(deps, req.params.project_id, req.params.api_key_id);
      return toProjectApiKeyDeleted(req.params.api_key_id);
    });
  };
}
