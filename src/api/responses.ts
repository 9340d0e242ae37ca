import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { z } from 'zod';
import { cancelResponse, createResponse, deleteResponse, listInputItems, replayResponse, retrieveResponse } from '../services/responses.service.js';
import { ClientGone } from './client-signal.js';
import { parseListQuery, toListPage } from './pagination.js';
import { closeSseReply, openSseReply } from './sse-reply.js';
import { parseRequest } from './schemas/common.schema.js';
import { includeQueryInput, includeQuerySchema } from './schemas/conversations.schema.js';
import { validateCreateResponse } from './schemas/responses.schema.js';

type ById = { Params: { response_id: string } };

/** GET /v1/responses/{id}'s stream options (the SDK sends `stream=true`, `starting_after=N`). */
const replayQuerySchema = z
  .object({
    stream: z.enum(['true', 'false']).optional(),
    starting_after: z.coerce.number().int().min(0).optional(),
  })
  .passthrough();

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
      const request = validateCreateResponse(req.body);
      // A stream ends as soon as its client leaves, not at its next event (a model silent for long, or stalled).
      const gone = request.stream === true ? new ClientGone(reply) : undefined;
      const result = await createResponse(deps, req.caller, request, { gone });
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
    app.get<ById>('/responses/:response_id', async (req, reply) => {
      const ref = { tenantId: req.caller.tenantId, id: req.params.response_id };
      const stream = parseRequest(replayQuerySchema, req.query);
      if (stream.stream !== 'true') return retrieveResponse(deps, { ...ref, include: include(req.query) });
      // A background response's stored events after `starting_after`, then live until it ends.
      const abort = new AbortController();
      const frames = await replayResponse(deps, { ...ref, startingAfter: stream.starting_after, signal: abort.signal });
      const sse = openSseReply(reply);
      reply.raw.on('close', () => abort.abort());
      try {
        for await (const frame of frames) {
          if (sse.closed) break;
          await sse.write(frame);
        }
      } finally {
        abort.abort();
        closeSseReply(reply, sse);
      }
    });
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
