import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { cancelResponse, createResponse, deleteResponse, listInputItems, retrieveResponse } from '../services/responses.service.js';
import { parseListQuery, toListPage } from './pagination.js';
import { closeSseReply, openSseReply } from './sse-reply.js';
import { parseRequest } from './schemas/common.schema.js';
import { includeQueryInput, includeQuerySchema } from './schemas/conversations.schema.js';
import { validateCreateResponse } from './schemas/responses.schema.js';

type ById = { Params: { response_id: string } };

/** What DELETE /v1/responses/{id} answers (spec example; the SDK types it void). */
interface ResponseDeleted {
  id: string;
  object: 'response';
  deleted: true;
}

/** /responses: create (JSON, or SSE with `stream: true`), retrieve, delete, cancel, input_items. */
export function responsesRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    const include = (query: unknown) => parseRequest(includeQuerySchema, includeQueryInput(query));

    app.post('/responses', async (req, reply) => {
      const result = await createResponse(deps, req.caller, validateCreateResponse(req.body));
      if (result.type === 'json') return result.body;
      const sse = openSseReply(reply);
      try {
        for await (const frames of result.frames) {
          if (sse.closed) break;
          await sse.write(frames);
        }
      } finally {
        closeSseReply(reply, sse);
      }
    });
    app.get<ById>('/responses/:response_id', async (req) =>
      retrieveResponse(deps, { tenantId: req.caller.tenantId, id: req.params.response_id, include: include(req.query) }),
    );
    app.delete<ById>('/responses/:response_id', async (req): Promise<ResponseDeleted> => {
      await deleteResponse(deps, req.caller.tenantId, req.params.response_id);
      return { id: req.params.response_id, object: 'response', deleted: true };
    });
    app.post<ById>('/responses/:response_id/cancel', async (req) => cancelResponse(deps, req.caller.tenantId, req.params.response_id));
    app.get<ById>('/responses/:response_id/input_items', async (req) => {
      const query = { ...parseListQuery(req.query), include: include(req.query) };
      const { data, hasMore } = await listInputItems(deps, req.caller.tenantId, req.params.response_id, query);
      return toListPage(data, hasMore);
    });
  };
}
