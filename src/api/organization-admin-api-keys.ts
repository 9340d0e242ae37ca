import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import {
  createAdminApiKey,
  deleteAdminApiKey,
  listAdminApiKeys,
  retrieveAdminApiKey,
} from '../services/admin-api-keys.service.js';
import { toAdminApiKeyCreated, toAdminApiKeyDeleted, toAdminApiKeyObject } from '../store/serialize-organization.js';
import { adminOnly } from './organization-guard.js';
import { parseListQuery, toListPage } from './pagination.js';
import { parseRequest } from './schemas/common.schema.js';
import { createAdminApiKeySchema } from './schemas/organization.schema.js';

type ById = { Params: { key_id: string } };

/** /organization/admin_api_keys: list (`after`, `limit`, `order`, oldest first by default), create, retrieve, delete. */
export function organizationAdminApiKeysRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    adminOnly(app);
    app.get('/organization/admin_api_keys', async (req) => {
      const q = req.query as Record<string, unknown>;
      const query = parseListQuery({ ...q, order: q.order ?? 'asc', before: undefined });
      const { rows, hasMore } = await listAdminApiKeys(deps, query);
      return toListPage(rows.map(toAdminApiKeyObject), hasMore);
    });
    app.post('/organization/admin_api_keys', async (req) => {
      const { row, value } = await createAdminApiKey(deps, parseRequest(createAdminApiKeySchema, req.body));
      return toAdminApiKeyCreated(row, value);
    });
    app.get<ById>('/organization/admin_api_keys/:key_id', async (req) =>
      toAdminApiKeyObject(await retrieveAdminApiKey(deps, req.params.key_id)),
    );
    app.delete<ById>('/organization/admin_api_keys/:key_id', async (req) => {
      await deleteAdminApiKey(deps, req.params.key_id);
      return toAdminApiKeyDeleted(req.params.key_id);
    });
  };
}
