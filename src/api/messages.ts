import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import {
  createMessage,
  deleteMessage,
  listMessages,
  retrieveMessage,
  updateMessage,
} from '../services/messages.service.js';
import { toMessageDeleted, toMessageObject } from '../store/serialize.js';
import { parseListQuery, toListPage } from './pagination.js';
import { parseRequest } from './schemas/common.schema.js';
import { createMessageSchema, listMessagesFilterSchema, updateMessageSchema } from './schemas/messages.schema.js';

type InThread = { Params: { thread_id: string } };
type ById = { Params: { thread_id: string; message_id: string } };

/** /threads/{thread_id}/messages: create, list (with `run_id`), retrieve, modify, delete. */
export function messagesRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.post<InThread>('/threads/:thread_id/messages', async (req) => {
      const ref = { tenantId: req.caller.tenantId, threadId: req.params.thread_id };
      return toMessageObject(await createMessage(deps, ref, parseRequest(createMessageSchema, req.body)));
    });
    app.get<InThread>('/threads/:thread_id/messages', async (req) => {
      const ref = { tenantId: req.caller.tenantId, threadId: req.params.thread_id };
      const query = { ...parseListQuery(req.query), ...parseRequest(listMessagesFilterSchema, req.query) };
      const { rows, hasMore } = await listMessages(deps, ref, query);
      return toListPage(rows.map(toMessageObject), hasMore);
    });
    app.get<ById>('/threads/:thread_id/messages/:message_id', async (req) => {
      const ref = { tenantId: req.caller.tenantId, threadId: req.params.thread_id, messageId: req.params.message_id };
      return toMessageObject(await retrieveMessage(deps, ref));
    });
    app.post<ById>('/threads/:thread_id/messages/:message_id', async (req) => {
      const ref = { tenantId: req.caller.tenantId, threadId: req.params.thread_id, messageId: req.params.message_id };
      return toMessageObject(await updateMessage(deps, ref, parseRequest(updateMessageSchema, req.body)));
    });
    app.delete<ById>('/threads/:thread_id/messages/:message_id', async (req) => {
      const ref = { tenantId: req.caller.tenantId, threadId: req.params.thread_id, messageId: req.params.message_id };
      await deleteMessage(deps, ref);
      return toMessageDeleted(req.params.message_id);
    });
  };
}
