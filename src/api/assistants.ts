import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import {
  createAssistant,
  deleteAssistant,
  listAssistants,
  retrieveAssistant,
  updateAssistant,
} from '../services/assistants.service.js';
import { toAssistantDeleted, toAssistantObject } from '../store/serialize.js';
import { parseListQuery, toListPage } from './pagination.js';
import { createAssistantSchema, updateAssistantSchema } from './schemas/assistants.schema.js';
import { parseRequest } from './schemas/common.schema.js';

type ById = { Params: { assistant_id: string } };

/** /assistants: create, list, retrieve, modify, delete (Assistants API v2). */
export function assistantsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.post('/assistants', async (req) => {
      const params = parseRequest(createAssistantSchema, req.body);
      return toAssistantObject(await createAssistant(deps, req.caller.tenantId, params));
    });
    app.get('/assistants', async (req) => {
      const { rows, hasMore } = await listAssistants(deps, req.caller.tenantId, parseListQuery(req.query));
      return toListPage(rows.map(toAssistantObject), hasMore);
    });
    app.get<ById>('/assistants/:assistant_id', async (req) => {
      const ref = { tenantId: req.caller.tenantId, assistantId: req.params.assistant_id };
      return toAssistantObject(await retrieveAssistant(deps, ref));
    });
    app.post<ById>('/assistants/:assistant_id', async (req) => {
      const ref = { tenantId: req.caller.tenantId, assistantId: req.params.assistant_id };
      return toAssistantObject(await updateAssistant(deps, ref, parseRequest(updateAssistantSchema, req.body)));
    });
    app.delete<ById>('/assistants/:assistant_id', async (req) => {
      await deleteAssistant(deps, { tenantId: req.caller.tenantId, assistantId: req.params.assistant_id });
      return toAssistantDeleted(req.params.assistant_id);
    });
  };
}
